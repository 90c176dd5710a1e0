#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

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
