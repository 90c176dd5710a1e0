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

// What a running job sees: its cancellation flag and a way to publish progress.
class JobContext {
 public:
  bool cancelled() const;
  void report(Progress progress);

 private:
  friend class JobRunner;
  JobContext(JobRunner& runner, JobId id) : runner_(runner), id_(id) {}
  JobRunner& runner_;
  JobId id_;
};

// Runs on the UI thread when drained; carries the job's result by capture.
using Completion = std::function<void()>;
using Work = std::function<Completion(JobContext&)>;

class JobRunner {
 public:
  // wake is called from worker threads whenever there is something new for the UI (progress, a
  // completion); the GUI passes glfwPostEmptyEvent, the CLI nothing.
  explicit JobRunner(unsigned workers = 2, std::function<void()> wake = {});
  ~JobRunner();  // cancels what is left and joins the workers
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  JobId submit(std::string name, Work work);
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
    std::atomic<bool> cancel{false};
  };

  void worker_loop();
  void set_progress(JobId id, Progress progress);
  bool is_cancelled(JobId id) const;
  void notify();

  std::function<void()> wake_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;       // workers wait here for jobs
  mutable std::condition_variable idle_cv_;  // wait_idle waits here
  std::deque<std::shared_ptr<Job>> queue_;
  std::vector<std::shared_ptr<Job>> jobs_;  // every job still of interest, in submit order
  std::deque<Completion> completions_;
  JobId next_id_ = 1;
  unsigned active_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::chrono::steady_clock::time_point last_progress_wake_{};
};

}  // namespace md::jobs
