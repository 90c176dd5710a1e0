#include "workspace.h"

#include <filesystem>

#include "store/database.h"
#include "store/schema.h"

namespace md {
namespace {

constexpr size_t kLogRingCapacity = 200'000;

}  // namespace

Workspace::Workspace(DataLayout layout, std::function<void()> wake)
    : layout_(std::move(layout)), redactor_(std::make_unique<protolog::Redactor>()) {
  log_ = std::make_unique<protolog::ProtoLog>(
      kLogRingCapacity,
      [r = redactor_.get()](std::string_view line, protolog::Direction d) { return r->redact(line, d); },
      layout_.logs_dir());
  view_.data_dir = layout_.root.string();
  jobs_ = std::make_unique<jobs::JobRunner>(2, std::move(wake));
}

Workspace::~Workspace() {
  jobs_.reset();
}

void Workspace::start() {
  jobs_->submit("Open the MailDoctor database", [this](jobs::JobContext&) -> jobs::Completion {
    auto prepared = prepare_data_dir(layout_.root);
    if (prepared) {
      std::error_code ec;
      std::filesystem::create_directories(layout_.logs_dir(), ec);
    }
    std::optional<Failure> error;
    if (!prepared) {
      error = prepared.failure();
    } else if (auto db = store::Database::open(layout_.database(), store::schema()); !db) {
      error = db.failure();
    }
    return [this, error] {
      view_.store_ready = !error;
      view_.store_error = error;
    };
  });
}

void Workspace::frame() {
  jobs_->drain_completions();
  view_.jobs = jobs_->snapshot();
  view_.log_seq = log_->last_seq();
}

}  // namespace md
