# The two commands of the README, and the steps they are made of.
#   make run    installs what is missing, builds, and opens MailDoctor
#   make test   installs what is missing, builds, and runs every test, then again under ASan+UBSan,
#               then every fuzz target for a few seconds
BUILD      ?= build
SAN_BUILD  ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# Tests at once: two more than the cores, because the two lab lanes (tests/CMakeLists.txt) spend
# most of their time waiting on servers and schedules, not on a core.
TEST_JOBS  ?= $(shell echo $$(( $(JOBS) + 2 )))
CMAKE_ARGS ?=

# Each step of make test prints "time: STEP N s", so a CI log shows where its minutes go.
timed = start=$$(date +%s); $(2); rc=$$?; echo "time: $(1) $$(( $$(date +%s) - start )) s"; exit $$rc

.PHONY: all bootstrap configure build run test test-main test-sanitize test-fuzz main-build main-tests sanitize-build sanitize-tests sanitize-and-fuzz-build fuzz-build fuzz-runs format bench-idle bench-sync demo screenshots screenshots-lab package docs clean

all: build

bootstrap:
	scripts/bootstrap.sh

# The tested build is the one a packager makes: Release with Debian's default flags
# (dpkg-buildflags: -O2 -g, fortify, stack protector, -Werror=format-security), and warnings as
# errors on top, so a warning either flag set brings out fails `make test` rather than a package.
$(BUILD)/CMakeCache.txt:
	CFLAGS="$$(dpkg-buildflags --get CFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
	CXXFLAGS="$$(dpkg-buildflags --get CXXFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
	LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" \
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DMAILDOCTOR_WERROR=ON $(CMAKE_ARGS)

configure: $(BUILD)/CMakeCache.txt

build: bootstrap configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/app/maildoctor

# The steps of `make test` overlap where one waits and the other computes: the main tests (whose
# three lab lanes mostly wait on servers and schedules) beside the sanitizer build and then the fuzz
# build, and the sanitizer tests beside the fuzz runs (one target at a time). Their output
# interleaves as it comes (a log that goes quiet for ten minutes looks hung); a failure of either
# fails the pair, and each step prints its own time: line.
# Measured from clean clones: this order took 700 s + 473 s for the two pairs; with the fuzz build
# beside the sanitizer tests instead, the fuzz build took 579 s (144 s alone), 596 s + 678 s.
test: bootstrap
	$(MAKE) main-build
	$(MAKE) -j2 main-tests sanitize-and-fuzz-build
	$(MAKE) -j2 sanitize-tests fuzz-runs FUZZ_RUN_JOBS=1

sanitize-and-fuzz-build:
	$(MAKE) sanitize-build
	$(MAKE) fuzz-build

test-main: main-build
	$(MAKE) main-tests

main-build: configure
	@$(call timed,main build,cmake --build $(BUILD) -j $(JOBS))

main-tests:
	@$(call timed,main tests,ctest --test-dir $(BUILD) --output-on-failure -j $(TEST_JOBS))

test-sanitize: sanitize-build
	$(MAKE) sanitize-tests

# A unity build (each target's sources compiled in a few large batches): less than half the time of
# one file at a time, which CI's minutes need. The main build above compiles the product's files one
# at a time, as a packager builds them, so a file that compiles only beside its neighbours is still
# caught there (its unit and panel suites are batched too; the Windows build compiles the unit files
# one at a time).
sanitize-build:
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMAILDOCTOR_SANITIZE=ON -DMAILDOCTOR_WERROR=ON \
	  -DCMAKE_UNITY_BUILD=ON $(CMAKE_ARGS)
	@$(call timed,sanitizer build,cmake --build $(SAN_BUILD) -j $(JOBS))

sanitize-tests:
	@$(call timed,sanitizer tests,ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(TEST_JOBS))

# Every libFuzzer target of fuzz/ for a few seconds, in a clang build of its own (FUZZ_BUILD): a
# regression of a parser is caught here. `fuzz/run.sh 600` is the long run.
FUZZ_SECONDS ?= 5
test-fuzz: bootstrap
	@$(call timed,fuzz build and runs,FUZZ_JOBS=$(JOBS) fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BUILD))

fuzz-build:
	@$(call timed,fuzz build,FUZZ_JOBS=$(JOBS) fuzz/run.sh build $(FUZZ_BUILD))

FUZZ_RUN_JOBS ?= $(JOBS)
fuzz-runs:
	@$(call timed,fuzz runs,FUZZ_JOBS=$(FUZZ_RUN_JOBS) fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BUILD))

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

bench-idle: build
	bench/gui_idle.sh $(BUILD)/tests/harness/maildoctor-harness

bench-sync: build
	bench/sync.sh $(BUILD)/app/maildoctor

# A Debian package of the normal build: build/maildoctor_*.deb
package: build
	cd $(BUILD) && cpack -G DEB

# Regenerates docs/failure-codes.md from the explain catalogue.
docs: configure
	cmake --build $(BUILD) --target update-docs

# Refreshes the screenshots in docs/ from the real window under Xvfb.
# The window against the tests/lab servers, with a green and a broken demo account (root: Dovecot).
demo: build
	scripts/demo.sh $(BUILD)/app/maildoctor

screenshots: build
	ctest --test-dir $(BUILD) -R '^gui:' --output-on-failure
	cp $(BUILD)/tests/gui/main_window.png docs/screenshots/main_window.png

# The real window against the tests/lab servers (as root: the lab's Dovecot): docs/screenshots/lab-*.png.
screenshots-lab: build
	ctest --test-dir $(BUILD) -R 'lab screenshots' --output-on-failure
	cp $(BUILD)/tests/gui/lab/lab-*.png docs/screenshots/

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)

# ==== Windows (issue 14) ===========================================================================
# make windows        the MinGW-w64 toolchain and Wine from Debian, the libraries cross-built from
#                     Debian's source packages (cached outside the clone), a static maildoctor.exe and
#                     a zip with the license texts: $(BUILD_WIN)/maildoctor-windows-x86_64.zip
# make test-windows   the Windows unit suite and the exe's command line under Wine (a fresh prefix)
BUILD_WIN ?= build-win
.PHONY: windows test-windows
windows:
	@$(call timed,windows build (dependencies included),BUILD_WIN=$(BUILD_WIN) JOBS=$(JOBS) scripts/windows-build.sh)

test-windows: windows
	@$(call timed,windows tests,BUILD_WIN=$(BUILD_WIN) JOBS=$(JOBS) scripts/windows-test.sh)

# make test runs the Windows suites too.
test: test-windows
