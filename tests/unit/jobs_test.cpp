#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "jobs/job_runner.h"

using namespace std::chrono_literals;
using md::jobs::Completion;
using md::jobs::JobContext;
using md::jobs::JobRunner;
using md::jobs::JobState;

namespace {

// Waits (bounded) until pred holds; drains completions the way the UI does, once per "frame".
template <class Pred>
bool drain_until(JobRunner& runner, Pred pred, std::chrono::milliseconds bound = 5s) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    runner.drain_completions();
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

}  // namespace

TEST_CASE("jobs: results reach the draining thread, not the worker") {
  JobRunner runner(2);
  const auto ui_thread = std::this_thread::get_id();
  std::thread::id worker_thread, completion_thread;
  int result = 0;
  runner.submit("sum", [&](JobContext&) -> Completion {
    worker_thread = std::this_thread::get_id();
    int sum = 0;
    for (int i = 1; i <= 100; ++i) sum += i;
    return [&, sum] {
      completion_thread = std::this_thread::get_id();
      result = sum;
    };
  });
  REQUIRE(drain_until(runner, [&] { return result != 0; }));
  CHECK(result == 5050);
  CHECK(worker_thread != ui_thread);
  CHECK(completion_thread == ui_thread);
}

TEST_CASE("jobs: nothing runs on the UI thread until it drains") {
  JobRunner runner(1);
  std::atomic<bool> worker_done{false};
  bool completed = false;
  runner.submit("x", [&](JobContext&) -> Completion {
    worker_done = true;
    return [&] { completed = true; };
  });
  REQUIRE(runner.wait_idle(5s));
  CHECK(worker_done);
  CHECK_FALSE(completed);
  CHECK(runner.drain_completions() == 1);
  CHECK(completed);
}

TEST_CASE("jobs: a running job sees cancellation and ends as cancelled") {
  JobRunner runner(1);
  std::atomic<bool> started{false};
  auto id = runner.submit("endless", [&](JobContext& ctx) -> Completion {
    started = true;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!ctx.cancelled() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    return {};
  });
  REQUIRE(drain_until(runner, [&] { return started.load(); }));
  runner.cancel(id);
  REQUIRE(runner.wait_idle(5s));
  CHECK(runner.snapshot(id).state == JobState::cancelled);
}

TEST_CASE("jobs: a queued job that is cancelled never runs") {
  JobRunner runner(1);
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::atomic<bool> second_ran{false};
  runner.submit("blocker", [&](JobContext&) -> Completion {
    std::unique_lock lock(m);
    cv.wait_for(lock, 10s, [&] { return release; });
    return {};
  });
  auto second = runner.submit("second", [&](JobContext&) -> Completion {
    second_ran = true;
    return {};
  });
  runner.cancel(second);
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  REQUIRE(runner.wait_idle(5s));
  CHECK_FALSE(second_ran);
  CHECK(runner.snapshot(second).state == JobState::cancelled);
}

TEST_CASE("jobs: progress is visible in the snapshot and an exception marks the job failed") {
  JobRunner runner(1);
  std::mutex m;
  std::condition_variable cv;
  bool reported = false, release = false;
  auto id = runner.submit("download", [&](JobContext& ctx) -> Completion {
    ctx.report({3, 10, "3 of 10"});
    {
      std::unique_lock lock(m);
      reported = true;
      cv.notify_all();
      cv.wait_for(lock, 10s, [&] { return release; });
    }
    throw std::runtime_error("server hung up");
  });
  {
    std::unique_lock lock(m);
    REQUIRE(cv.wait_for(lock, 5s, [&] { return reported; }));
  }
  auto snap = runner.snapshot(id);
  CHECK(snap.state == JobState::running);
  CHECK(snap.progress.done == 3);
  CHECK(snap.progress.total == 10);
  CHECK(snap.progress.message == "3 of 10");
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  REQUIRE(runner.wait_idle(5s));
  snap = runner.snapshot(id);
  CHECK(snap.state == JobState::failed);
  CHECK(snap.error == "server hung up");
}

TEST_CASE("jobs: workers wake the UI when a result is ready") {
  std::atomic<int> wakes{0};
  JobRunner runner(2, [&] { ++wakes; });
  runner.submit("a", [](JobContext&) -> Completion { return [] {}; });
  REQUIRE(runner.wait_idle(5s));
  // wait_idle can return between the state change and the wake call: poll for the wake.
  REQUIRE(drain_until(runner, [&] { return wakes.load() >= 1; }));
}

TEST_CASE("jobs: two workers run two jobs at the same time") {
  JobRunner runner(2);
  std::mutex m;
  std::condition_variable cv;
  int inside = 0;
  bool both = false;
  auto work = [&](JobContext&) -> Completion {
    std::unique_lock lock(m);
    ++inside;
    cv.notify_all();
    both = cv.wait_for(lock, 5s, [&] { return inside == 2; });
    return {};
  };
  runner.submit("a", work);
  runner.submit("b", work);
  REQUIRE(runner.wait_idle(10s));
  CHECK(both);
}

TEST_CASE("jobs: destroying the runner cancels running work and joins") {
  std::atomic<bool> saw_cancel{false};
  std::atomic<bool> started{false};
  {
    JobRunner runner(1);
    runner.submit("long", [&](JobContext& ctx) -> Completion {
      started = true;
      auto deadline = std::chrono::steady_clock::now() + 10s;
      while (!ctx.cancelled() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
      saw_cancel = ctx.cancelled();
      return {};
    });
    REQUIRE(drain_until(runner, [&] { return started.load(); }));
  }
  CHECK(saw_cancel);
}

TEST_CASE("jobs: the quick lane answers while every network worker is held") {
  JobRunner runner(2, {}, 1);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> holding{0};
  auto hold = [&](JobContext&) -> Completion {
    ++holding;
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    return {};
  };
  // Two network workers held, and more network work queued behind them (a schedule's round).
  for (int i = 0; i < 4; ++i) runner.submit("sync " + std::to_string(i), hold);
  REQUIRE(drain_until(runner, [&] { return holding == 2; }));
  bool read = false;
  const auto quick = runner.submit("read the token", [&](JobContext&) -> Completion { return [&] { read = true; }; },
                                   {md::jobs::Lane::quick, {}});
  CHECK(drain_until(runner, [&] { return read; }));
  CHECK(runner.snapshot(quick).state == JobState::succeeded);
  CHECK(holding == 2);  // nothing of the network lane moved meanwhile
  // The same quick job in the network lane would wait behind the held ones.
  bool queued_read = false;
  runner.submit("read the token (network lane)",
                [&](JobContext&) -> Completion { return [&] { queued_read = true; }; });
  CHECK_FALSE(drain_until(
      runner, [&] { return queued_read; }, 200ms));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  CHECK(drain_until(runner, [&] { return queued_read; }));
  CHECK(runner.wait_idle(5s));
}

TEST_CASE("jobs: updates a job posts reach the UI thread in order, before its completion") {
  JobRunner runner(1);
  std::vector<int> seen;
  runner.submit("steps", [&](JobContext& ctx) -> Completion {
    for (int i = 1; i <= 3; ++i) ctx.post([&seen, i] { seen.push_back(i); });
    return [&] { seen.push_back(99); };
  });
  REQUIRE(drain_until(runner, [&] { return seen.size() == 4; }));
  CHECK(seen == std::vector<int>{1, 2, 3, 99});
}

TEST_CASE("jobs: a burst of posted updates wakes the UI once, and the next burst after a drain again") {
  std::atomic<int> wakes{0};
  JobRunner runner(1, [&] { ++wakes; });
  std::mutex mu;
  std::condition_variable cv;
  int phase = 0;  // 1: the first burst is posted; 2: the UI drained it; 3: the second burst is posted
  int wakes_before = 0, wakes_after_first = 0, wakes_after_second = 0;
  std::vector<int> seen;
  runner.submit("bursts", [&](JobContext& ctx) -> Completion {
    std::unique_lock lock(mu);
    wakes_before = wakes.load();
    for (int i = 0; i < 1000; ++i) ctx.post([&seen, i] { seen.push_back(i); });
    wakes_after_first = wakes.load();
    phase = 1;
    cv.notify_all();
    cv.wait(lock, [&] { return phase == 2; });
    for (int i = 1000; i < 1010; ++i) ctx.post([&seen, i] { seen.push_back(i); });
    wakes_after_second = wakes.load();
    phase = 3;
    cv.notify_all();
    return {};
  });
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return phase == 1; }));
  }
  CHECK(wakes_after_first - wakes_before == 1);  // 1000 updates, one wake: the UI drains them all
  CHECK(runner.drain_completions() == 1000);
  {
    std::unique_lock lock(mu);
    phase = 2;
    cv.notify_all();
    REQUIRE(cv.wait_for(lock, 10s, [&] { return phase == 3; }));
  }
  CHECK(wakes_after_second - wakes_after_first == 1);  // the queue was drained: the next update wakes
  REQUIRE(drain_until(runner, [&] { return seen.size() == 1010; }));
  for (int i = 0; i < 1010; ++i) REQUIRE(seen[static_cast<size_t>(i)] == i);
}

TEST_CASE("jobs: a job that throws or never runs tells whoever waits, once") {
  JobRunner runner(1);
  std::vector<std::pair<JobState, std::string>> lost;
  auto on_lost = [&](JobState s, const std::string& e) { lost.emplace_back(s, e); };
  runner.submit("throws", [](JobContext&) -> Completion { throw std::runtime_error("disk on fire"); },
                {md::jobs::Lane::network, on_lost});
  REQUIRE(drain_until(runner, [&] { return lost.size() == 1; }));
  CHECK(lost[0].first == JobState::failed);
  CHECK(lost[0].second == "disk on fire");

  // A job cancelled while queued behind a held worker never runs, and says so.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, started = false;
  runner.submit("hold", [&](JobContext&) -> Completion {
    std::unique_lock lock(mu);
    started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return {};
  });
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, 5s, [&] { return started; }));
  }
  bool ran = false;
  const auto queued = runner.submit("queued",
                                    [&](JobContext&) -> Completion {
                                      ran = true;
                                      return [] {};
                                    },
                                    {md::jobs::Lane::network, on_lost});
  runner.cancel(queued);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  REQUIRE(drain_until(runner, [&] { return lost.size() == 2; }));
  CHECK(lost[1].first == JobState::cancelled);
  CHECK_FALSE(ran);
  // A job that completes normally never calls it.
  bool done = false;
  runner.submit("fine", [&](JobContext&) -> Completion { return [&] { done = true; }; },
                {md::jobs::Lane::network, on_lost});
  REQUIRE(drain_until(runner, [&] { return done; }));
  CHECK(lost.size() == 2);
}
