// What the window shows, owned in one place: the data dir, the store (opened on a worker, never on
// the UI thread), the job runner and the protocol log. The UI calls frame() once a frame and reads
// view(); it never touches the disk or the network itself.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datadir.h"
#include "jobs/job_runner.h"
#include "protolog/protolog.h"
#include "result.h"

namespace md {

enum class Health { unknown, ok, warning, failed };

struct AccountSummary {
  std::string name;
  std::string email;
  std::string provider;
  Health health = Health::unknown;
};

// A snapshot for one frame: plain data, no locks, no handles.
struct WorkspaceView {
  std::string data_dir;
  bool store_ready = false;
  std::optional<Failure> store_error;
  std::vector<AccountSummary> accounts;
  std::vector<jobs::JobSnapshot> jobs;
  uint64_t log_seq = 0;
};

class Workspace {
 public:
  Workspace(DataLayout layout, std::function<void()> wake);
  ~Workspace();

  // Starts background loading; returns at once.
  void start();
  // Re-reads the account list on a worker (after the CLI or another panel changed it).
  void reload_accounts();
  // UI thread, once a frame: runs completions from workers and refreshes the view.
  void frame();
  const WorkspaceView& view() const { return view_; }

  jobs::JobRunner& jobs() { return *jobs_; }
  protolog::ProtoLog& log() { return *log_; }
  protolog::Redactor& redactor() { return *redactor_; }
  const DataLayout& layout() const { return layout_; }

 private:
  DataLayout layout_;
  std::unique_ptr<protolog::Redactor> redactor_;
  std::unique_ptr<protolog::ProtoLog> log_;
  WorkspaceView view_;
  std::unique_ptr<jobs::JobRunner> jobs_;  // last: its workers stop before the rest goes away
};

}  // namespace md
