#include "jobs/job_runner.h"

#include <algorithm>
#include <exception>

namespace md::jobs {
namespace {

// Finished jobs stay visible this long in the snapshot so the UI can show their result.
constexpr size_t kKeepFinished = 64;
// Progress wakes the UI at most this often; completions always wake it.
constexpr auto kProgressWakeInterval = std::chrono::milliseconds(33);

bool finished(JobState s) {
  return s == JobState::succeeded || s == JobState::failed || s == JobState::cancelled;
}

}  // namespace

const char* to_string(JobState state) {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::succeeded: return "succeeded";
    case JobState::failed: return "failed";
    case JobState::cancelled: return "cancelled";
  }
  return "unknown";
}

bool JobContext::cancelled() const {
  return runner_.is_cancelled(id_);
}

void JobContext::report(Progress progress) {
  runner_.set_progress(id_, std::move(progress));
}

void JobContext::post(Completion update) {
  runner_.post(std::move(update));
}

JobRunner::JobRunner(unsigned workers, std::function<void()> wake, unsigned quick_workers) : wake_(std::move(wake)) {
  for (unsigned i = 0; i < std::max(1u, workers); ++i) workers_.emplace_back([this] { worker_loop(Lane::network); });
  for (unsigned i = 0; i < std::max(1u, quick_workers); ++i)
    workers_.emplace_back([this] { worker_loop(Lane::quick); });
}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& job : jobs_) job->cancel = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

JobId JobRunner::submit(std::string name, Work work, JobOptions options) {
  auto job = std::make_shared<Job>();
  JobId id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    job->snap.id = id;
    job->snap.name = std::move(name);
    job->work = std::move(work);
    job->options = std::move(options);
    queues_[static_cast<int>(job->options.lane)].push_back(job);
    jobs_.push_back(job);
  }
  // Every worker looks: the one woken must be of the job's lane.
  cv_.notify_all();
  return id;
}

void JobRunner::lost(Job& job) {
  if (!job.options.on_lost) return;
  completions_.push_back([on_lost = std::move(job.options.on_lost), state = job.snap.state, error = job.snap.error] {
    on_lost(state, error);
  });
  job.options.on_lost = nullptr;
}

void JobRunner::post(Completion update) {
  bool first = false;
  {
    std::lock_guard lock(mu_);
    first = completions_.empty();
    completions_.push_back(std::move(update));
  }
  // One wake per batch: updates queued behind others were already announced, and the UI drains
  // the whole queue at once. A sync's per-message progress costs one frame, not one per message.
  if (first) notify();
}

void JobRunner::cancel(JobId id) {
  std::lock_guard lock(mu_);
  for (auto& job : jobs_)
    if (job->snap.id == id) job->cancel = true;
}

void JobRunner::cancel_all() {
  std::lock_guard lock(mu_);
  for (auto& job : jobs_) job->cancel = true;
}

size_t JobRunner::drain_completions() {
  std::deque<Completion> ready;
  {
    std::lock_guard lock(mu_);
    ready.swap(completions_);
  }
  for (auto& c : ready)
    if (c) c();
  return ready.size();
}

std::vector<JobSnapshot> JobRunner::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<JobSnapshot> out;
  out.reserve(jobs_.size());
  for (const auto& job : jobs_) out.push_back(job->snap);
  return out;
}

JobSnapshot JobRunner::snapshot(JobId id) const {
  std::lock_guard lock(mu_);
  for (const auto& job : jobs_)
    if (job->snap.id == id) return job->snap;
  return JobSnapshot{};
}

bool JobRunner::busy() const {
  std::lock_guard lock(mu_);
  return active_ > 0 || !queues_[0].empty() || !queues_[1].empty();
}

bool JobRunner::wait_idle(std::chrono::milliseconds bound) const {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, bound, [this] { return active_ == 0 && queues_[0].empty() && queues_[1].empty(); });
}

void JobRunner::worker_loop(Lane lane) {
  std::deque<std::shared_ptr<Job>>& queue = queues_[static_cast<int>(lane)];
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue.empty(); });
      if (stopping_) {
        // Jobs never started are cancelled, not run.
        for (auto& q : queue) q->snap.state = JobState::cancelled;
        queue.clear();
        idle_cv_.notify_all();
        return;
      }
      job = queue.front();
      queue.pop_front();
      if (job->cancel) {
        job->snap.state = JobState::cancelled;
        job->work = nullptr;
        lost(*job);
        idle_cv_.notify_all();
        lock.unlock();
        notify();
        continue;
      }
      job->snap.state = JobState::running;
      ++active_;
    }

    JobContext ctx(*this, job->snap.id);
    Completion completion;
    JobState end = JobState::succeeded;
    std::string error;
    try {
      completion = job->work(ctx);
      if (job->cancel) end = JobState::cancelled;
    } catch (const std::exception& e) {
      end = JobState::failed;
      error = e.what();
    } catch (...) {
      end = JobState::failed;
      error = "unknown error";
    }

    {
      std::lock_guard lock(mu_);
      job->snap.state = end;
      job->snap.error = std::move(error);
      job->work = nullptr;  // release what the work captured
      // The completion runs even for a cancelled job: it may carry the partial result.
      if (completion)
        completions_.push_back(std::move(completion));
      else
        lost(*job);
      --active_;
      // Forget the oldest finished jobs beyond the keep limit.
      size_t finished_count =
          std::count_if(jobs_.begin(), jobs_.end(), [](auto& j) { return finished(j->snap.state); });
      for (auto it = jobs_.begin(); it != jobs_.end() && finished_count > kKeepFinished;) {
        if (finished((*it)->snap.state)) {
          it = jobs_.erase(it);
          --finished_count;
        } else {
          ++it;
        }
      }
    }
    idle_cv_.notify_all();
    notify();
  }
}

void JobRunner::set_progress(JobId id, Progress progress) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    for (auto& job : jobs_)
      if (job->snap.id == id) job->snap.progress = std::move(progress);
    auto now = std::chrono::steady_clock::now();
    if (now - last_progress_wake_ >= kProgressWakeInterval) {
      last_progress_wake_ = now;
      wake = true;
    }
  }
  if (wake) notify();
}

bool JobRunner::is_cancelled(JobId id) const {
  std::lock_guard lock(mu_);
  for (const auto& job : jobs_)
    if (job->snap.id == id) return job->cancel;
  return true;
}

void JobRunner::notify() {
  if (wake_) wake_();
}

}  // namespace md::jobs
