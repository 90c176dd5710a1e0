# The Windows branch of the build: the static libraries scripts/windows-deps.sh cross-built from
# Debian's source packages (MAILDOCTOR_WIN_DEPS, its prefix) and Windows' own system libraries.
if(NOT MAILDOCTOR_WIN_DEPS)
  message(FATAL_ERROR "Set MAILDOCTOR_WIN_DEPS to the prefix printed by scripts/windows-deps.sh (make windows does)")
endif()
list(APPEND CMAKE_FIND_ROOT_PATH ${MAILDOCTOR_WIN_DEPS})
list(APPEND CMAKE_PREFIX_PATH ${MAILDOCTOR_WIN_DEPS})
set(OPENSSL_ROOT_DIR ${MAILDOCTOR_WIN_DEPS})
set(OPENSSL_USE_STATIC_LIBS ON)
set(CURL_NO_CURL_CMAKE ON)
set(nlohmann_json_DIR ${MAILDOCTOR_WIN_DEPS}/share/cmake/nlohmann_json)

# GCC 12's -O2/-O3 false positives inside libstdc++'s char_traits (GCC bug 105329, 105651).
add_compile_options(-Wno-restrict -Wno-stringop-overflow -Wno-array-bounds)
# One static exe: no libstdc++/libgcc/winpthread DLLs to ship beside it.
add_link_options(-static -static-libgcc -static-libstdc++)
# Windows 10 APIs (WSAPoll, the UTF-8 code page); M_PI from <cmath>; UTF-8 narrow strings.
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 NOMINMAX WIN32_LEAN_AND_MEAN _USE_MATH_DEFINES
                        CURL_STATICLIB)
set(MAILDOCTOR_WINDOWS_SYSTEM_LIBS ws2_32 crypt32 bcrypt advapi32 user32 shell32 ole32)

# After the top-level find_package calls: the static libraries' own dependencies.
macro(maildoctor_windows_fixup)
  set_property(TARGET OpenSSL::Crypto APPEND PROPERTY INTERFACE_LINK_LIBRARIES ws2_32 crypt32 bcrypt advapi32 user32)
  set_property(TARGET CURL::libcurl APPEND PROPERTY INTERFACE_LINK_LIBRARIES OpenSSL::SSL OpenSSL::Crypto ws2_32
                                                                              crypt32 bcrypt advapi32)
endmacro()
