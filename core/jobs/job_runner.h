// Background work: a small pool of worker threads runs jobs; each job reports progress and can be
// cancelled; what a job produces is handed back to the UI thread through a completion queue that
// the UI drains once a frame. The UI thread never waits on a job.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace md::jobs {

using JobId = uint64_t;

enum class JobState { queued, running, succeeded, failed, cancelled };
const char* to_string(JobState state);

struct Progress {
  uint64_t done = 0;
  uint64_t total = 0;   // 0 when unknown
  std::string message;  // "Downloading 120 of 5000", shown as is
};

struct JobSnapshot {
  JobId id = 0;
  std::string name;
  JobState state = JobState::queued;
  Progress progress;
  std::string error;  // why it failed, when it did
};

class JobRunner;

// Runs on the UI thread when drained; carries the job's result by capture.
using Completion = std::function<void()>;

// What a running job sees: its cancellation flag and ways to publish progress.
class JobContext {
 public:
  JobId id() const { return id_; }
  bool cancelled() const;
  void report(Progress progress);
  // Runs `update` on the UI thread at the next drain, before the job's own completion: how a job
  // shows what it has so far (a finished step, the address to open, a count) without a hand-off
  // struct of its own.
  void post(Completion update);

 private:
  friend class JobRunner;
  JobContext(JobRunner& runner, JobId id) : runner_(runner), id_(id) {}
  JobRunner& runner_;
  JobId id_;
};

using Work = std::function<Completion(JobContext&)>;

// Jobs wait in one of two lanes, each with workers of its own, so quick work never queues behind
// slow work: reading or writing the store and files (milliseconds) runs in `quick`, whatever talks
// to a server (a check, a sync, a sign-in: up to minutes) in `network`.
enum class Lane { quick, network };

struct JobOptions {
  Lane lane = Lane::network;
  // Runs on the UI thread when the job ends without a completion (its work threw, or it was
  // cancelled before it ran), with the end state and the error: whoever waits for the job learns
  // it ended instead of polling the snapshot.
  std::function<void(JobState, const std::string& error)> on_lost;
};

class JobRunner {
 public:
  // wake is called from worker threads whenever there is something new for the UI (progress, a
  // completion); the GUI passes glfwPostEmptyEvent, the CLI nothing. `workers` serve the network
  // lane, `quick_workers` the quick one.
  explicit JobRunner(unsigned workers = 2, std::function<void()> wake = {}, unsigned quick_workers = 1);
  ~JobRunner();  // cancels what is left and joins the workers
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  JobId submit(std::string name, Work work, JobOptions options = {});
  void cancel(JobId id);
  void cancel_all();

  // UI thread: runs the completions that arrived since the last call. Returns how many ran.
  size_t drain_completions();

  std::vector<JobSnapshot> snapshot() const;
  JobSnapshot snapshot(JobId id) const;
  bool busy() const;

  // For the CLI and tests: blocks until no job is queued or running, at most `bound`.
  bool wait_idle(std::chrono::milliseconds bound) const;

 private:
  friend class JobContext;
  struct Job {
    JobSnapshot snap;
    Work work;
    JobOptions options;
    std::atomic<bool> cancel{false};
  };

  void worker_loop(Lane lane);
  // Under mu_: the job ended without running, or without a completion.
  void lost(Job& job);
  void post(Completion update);
  void set_progress(JobId id, Progress progress);
  bool is_cancelled(JobId id) const;
  void notify();

  std::function<void()> wake_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;          // workers wait here for jobs
  mutable std::condition_variable idle_cv_;     // wait_idle waits here
  std::deque<std::shared_ptr<Job>> queues_[2];  // by Lane
  std::vector<std::shared_ptr<Job>> jobs_;      // every job still of interest, in submit order
  std::deque<Completion> completions_;
  JobId next_id_ = 1;
  unsigned active_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::chrono::steady_clock::time_point last_progress_wake_{};
};

}  // namespace md::jobs
