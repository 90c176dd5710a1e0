// The workspace's sign-ins: the selected account's token (read, refresh, re-authenticate) and the
// setup flow's sign-in and Save. A sign-in waits on a network worker for the browser or the device
// code; what the user must see meanwhile is posted to the UI thread.
#include "accounts/repository.h"
#include "oauth/consent_flow.h"
#include "oauth/device_flow.h"
#include "oauth/identity.h"
#include "ops/account_ops.h"
#include "tokens/token_service.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {

namespace {

Result<tokens::TokenStatus> read_status(const DataLayout& layout, const std::string& name) {
  return detail::open_store(layout).and_then([&](store::Database& db) { return tokens::load_status(db, name); });
}

}  // namespace

void Workspace::load_token(const std::string& name) {
  view_.token.loading = true;
  jobs_->submit("Read the token of " + name,
                [this, name](jobs::JobContext&) -> jobs::Completion {
                  auto status = read_status(layout_, name);
                  return [this, name, status = std::move(status)] {
                    if (view_.token.account != name) return;  // another account was selected meanwhile
                    view_.token.loading = false;
                    if (status) {
                      view_.token.status = status.value();
                      view_.token.load_error.reset();
                      if (status.value().last_error) ++view_.token.failure_serial;
                    } else {
                      view_.token.load_error = status.failure();
                    }
                  };
                },
                {jobs::Lane::quick, [this, name](jobs::JobState, const std::string& error) {
                   if (view_.token.account != name) return;
                   view_.token.loading = false;
                   view_.token.load_error = detail::lost_job_failure("store.failed", error, "Reading the token");
                 }});
}

void Workspace::refresh_token(const std::string& name) {
  if (view_.token.account != name || view_.token.refreshing) return;
  view_.token.refreshing = true;
  jobs_->submit("Refresh the token of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    std::optional<Failure> failure;
    std::optional<tokens::TokenStatus> status;
    if (auto opened = detail::open_account(layout_, name); !opened) {
      failure = opened.failure();
    } else {
      const ops::OpenedAccount& o = opened.value().opened;
      net::ProtoLogTranscript http(*log_, name);
      auto fresh = tokens::fresh_access_token(*o.db, o.vault, o.account, tokens::kDefaultRefreshMargin, true, &http);
      if (fresh)
        redactor_->add_secret(fresh.value().access_token);
      else
        failure = fresh.failure();
      if (auto s = tokens::load_status(*o.db, name)) status = s.value();
    }
    return [this, name, failure, status] {
      if (failure) set_health(name, Health::failed);
      if (failure && failure->code == "oauth.invalid_grant") set_dead_sign_in(name, failure);
      if (!failure) set_dead_sign_in(name, std::nullopt);
      if (view_.token.account != name) return;
      view_.token.refreshing = false;
      if (status) view_.token.status = status;
      view_.token.refresh_failure = failure;
      if (failure) ++view_.token.failure_serial;
      if (!failure) view_.token.refreshed_at = now_();
    };
  });
}

SignInProgress* Workspace::sign_in_view() {
  return consent_for_setup_ ? &view_.setup.sign_in : &view_.token.sign_in;
}

namespace {

struct SignedIn {
  oauth::TokenSet tokens;
  std::string identity;
};

// The browser consent flow or the device code, then the identity and scope checks (setup step 4).
// Runs on a worker; what the user must see meanwhile (the address, the code) goes to `show`. Every
// token reaches the redactor before anything can log it.
Result<SignedIn> sign_in_on_worker(const oauth::ClientConfig& cfg, const std::string& email, SignInMode mode,
                                   const std::function<bool()>& cancelled, const Workspace::ShowLive& show,
                                   const Workspace::BrowserLauncher& launcher, net::Transcript* http,
                                   protolog::Redactor& redactor) {
  Result<oauth::TokenSet> tokens = fail("oauth.cancelled", "The sign-in was cancelled.");
  if (mode == SignInMode::device) {
    auto started = oauth::start_device(cfg, http);
    if (!started) return started.failure();
    const oauth::DeviceAuthorization& d = started.value();
    show([code = d.user_code, uri = d.verification_uri,
          expires_at = std::chrono::system_clock::now() + d.expires_in](SignInProgress& p) {
      p.user_code = code;
      p.verification_uri = uri;
      p.code_expires_at = expires_at;
    });
    tokens = oauth::poll_device(cfg, d, cancelled, {}, http);
  } else {
    oauth::ConsentOptions opts;
    opts.transcript = http;
    opts.login_hint = email;
    opts.cancelled = cancelled;
    opts.launcher = launcher;
    opts.on_url = [&](const std::string& url) { show([url](SignInProgress& p) { p.url = url; }); };
    tokens = oauth::run_consent_flow(cfg, opts);
  }
  if (!tokens) return tokens.failure();
  redactor.add_secret(tokens.value().access_token);
  if (tokens.value().refresh_token) redactor.add_secret(*tokens.value().refresh_token);
  if (tokens.value().id_token) redactor.add_secret(*tokens.value().id_token);
  auto who = oauth::verify_sign_in(cfg, email, tokens.value(), http);
  if (!who) return who.failure();
  return SignedIn{std::move(tokens).value(), who.value()};
}

}  // namespace

jobs::JobId Workspace::start_sign_in(const std::string& title, bool for_setup, SignInMode mode,
                                     std::function<jobs::Completion(jobs::JobContext&, const ShowLive&)> work) {
  // One sign-in at a time: a new one replaces the one running (it owns the loopback listener).
  if (consent_job_ != 0) jobs_->cancel(consent_job_);
  consent_for_setup_ = for_setup;
  SignInProgress& p = *sign_in_view();
  p = SignInProgress{};
  p.state = ConsentState::waiting;
  p.mode = mode;
  const uint64_t serial = ++sign_in_serial_;
  // What the user sees while it waits changes on the UI thread, and only while it is the newest.
  auto waiting = [this, serial]() -> SignInProgress* {
    SignInProgress* p = serial == sign_in_serial_ ? sign_in_view() : nullptr;
    return p != nullptr && p->state == ConsentState::waiting ? p : nullptr;
  };
  consent_job_ =
      jobs_->submit(title,
                    [this, work = std::move(work), serial, waiting](jobs::JobContext& ctx) -> jobs::Completion {
                      ShowLive show = [&ctx, waiting](std::function<void(SignInProgress&)> change) {
                        ctx.post([waiting, change = std::move(change)] {
                          if (SignInProgress* p = waiting()) change(*p);
                        });
                      };
                      jobs::Completion done = work(ctx, show);
                      return [this, serial, done = std::move(done)] {
                        if (serial != sign_in_serial_) return;  // replaced by a newer sign-in meanwhile
                        consent_job_ = 0;
                        if (done) done();
                      };
                    },
                    {jobs::Lane::network, [this, waiting](jobs::JobState, const std::string& error) {
                       // It threw, or was cancelled before it ran: the form must not wait for ever.
                       if (SignInProgress* p = waiting()) {
                         consent_job_ = 0;
                         p->state = ConsentState::failed;
                         p->failure = Failure{"oauth.cancelled", error.empty() ? "The sign-in was cancelled." : error};
                       }
                     }});
  return consent_job_;
}

void Workspace::reauthenticate(const std::string& name, SignInMode mode) {
  if (view_.token.account != name) return;
  start_sign_in("Sign in " + name, false, mode, [this, name, mode](jobs::JobContext& ctx, const ShowLive& show) {
    std::optional<Failure> failure;
    std::string identity, mail_scope;
    std::vector<std::string> granted;
    std::optional<tokens::TokenStatus> status;
    auto opened = detail::open_account(layout_, name);
    auto cfg = opened.and_then(
        [](detail::WorkerAccount& w) { return tokens::client_config(w.store(), w.opened.vault, w.account()); });
    if (!cfg) {
      failure = cfg.failure();
    } else {
      const ops::OpenedAccount& o = opened.value().opened;
      net::ProtoLogTranscript http(*log_, name);
      mail_scope = cfg.value().mail_scope;
      auto signed_in = sign_in_on_worker(
          cfg.value(), o.account.email, mode, [&ctx] { return ctx.cancelled(); }, show, browser_launcher_, &http,
          *redactor_);
      if (!signed_in) {
        failure = signed_in.failure();
      } else if (auto saved = tokens::save_sign_in(*o.db, o.vault, o.account, signed_in.value().tokens,
                                                   signed_in.value().identity);
                 !saved) {
        failure = saved.failure();
      } else {
        identity = signed_in.value().identity;
        granted = signed_in.value().tokens.granted_scopes;
      }
      if (auto s = tokens::load_status(*o.db, name)) status = s.value();
    }
    return jobs::Completion([this, name, failure, identity, granted, mail_scope, status] {
      if (!failure) {
        set_dead_sign_in(name, std::nullopt);
        // Its checks again at once: the account shows where it stands now, not grey until the next round.
        run_checks(name);
      }
      if (view_.token.account != name || consent_for_setup_) return;
      SignInProgress& p = view_.token.sign_in;
      p.state = failure ? ConsentState::failed : ConsentState::succeeded;
      p.failure = failure;
      p.identity = identity;
      p.granted_scopes = granted;
      p.mail_scope = mail_scope;
      if (status) view_.token.status = status;
      if (!failure) view_.token.refresh_failure.reset();
    });
  });
}

void Workspace::setup_sign_in(const accounts::AccountDraft& draft, SignInMode mode) {
  view_.setup.signed_in_key.clear();
  view_.setup.save = SetupSave::idle;
  view_.setup.save_failure.reset();
  pending_setup_.reset();
  const std::string key = accounts::sign_in_key(draft);
  start_sign_in(
      "Sign in " + draft.email, true, mode, [this, draft, key, mode](jobs::JobContext& ctx, const ShowLive& show) {
        auto pending = std::make_shared<PendingSetup>();
        pending->key = key;
        Result<void> ok;
        std::string mail_scope;
        if (!draft.client_secret.empty()) redactor_->add_secret(draft.client_secret);
        auto account = accounts::build_account(draft);
        // Until it is saved the account has no log of its own: its sign-in is logged under the address.
        net::ProtoLogTranscript http(*log_, account ? account.value().name : std::string("setup"));
        if (account && accounts::needs_discovery(account.value())) {
          if (auto found = ops::discover_endpoints(account.value(), &http); !found)
            account = found.failure();
          else if (auto valid = accounts::validate(account.value()); !valid)
            account = valid.failure();
        }
        auto cfg = account
                       ? tokens::client_config(account.value(), draft.client_secret.empty()
                                                                    ? std::nullopt
                                                                    : std::optional<std::string>(draft.client_secret))
                       : Result<oauth::ClientConfig>(account.failure());
        if (!cfg) {
          ok = cfg.failure();
        } else {
          mail_scope = cfg.value().mail_scope;
          auto signed_in = sign_in_on_worker(
              cfg.value(), account.value().email, mode, [&ctx] { return ctx.cancelled(); }, show, browser_launcher_,
              &http, *redactor_);
          if (!signed_in) {
            ok = signed_in.failure();
          } else {
            pending->account = account.value();
            pending->tokens = std::move(signed_in.value().tokens);
            pending->identity = signed_in.value().identity;
          }
        }
        return jobs::Completion([this, ok, pending, mail_scope] {
          if (!consent_for_setup_) return;
          SignInProgress& p = view_.setup.sign_in;
          p.state = ok ? ConsentState::succeeded : ConsentState::failed;
          p.failure = ok ? std::nullopt : std::optional<Failure>(ok.failure());
          p.mail_scope = mail_scope;
          if (ok) {
            p.identity = pending->identity;
            p.granted_scopes = pending->tokens.granted_scopes;
            view_.setup.signed_in_key = pending->key;
            pending_setup_ = pending;
          }
        });
      });
}

void Workspace::setup_save(const accounts::AccountDraft& draft) {
  if (view_.setup.save == SetupSave::saving) return;
  // The setup's tokens, when they were made for this very draft: an OAuth account is saved signed in.
  std::shared_ptr<PendingSetup> pending =
      pending_setup_ && pending_setup_->key == accounts::sign_in_key(draft) ? pending_setup_ : nullptr;
  view_.setup.save = SetupSave::saving;
  view_.setup.save_failure.reset();
  jobs_->submit("Save the account " + draft.name,
                [this, draft, pending](jobs::JobContext&) -> jobs::Completion {
                  auto account = accounts::build_account(draft);
                  if (account && pending) {
                    // Same address and client: keep the endpoints the sign-in discovered, and the typed rest.
                    account.value().oauth = pending->account.oauth;
                  }
                  if (account && account.value().auth == accounts::AuthMethod::oauth2 && !pending)
                    account = fail("oauth.not_signed_in", "Authenticate first: Save keeps the account signed in.");
                  // A CA file that does not exist fails here, not at the first check after Save.
                  Result<void> saved =
                      account ? ops::check_account_files(account.value()) : Result<void>(account.failure());
                  std::string name = account ? account.value().name : std::string();
                  if (saved) {
                    if (auto prepared = prepare_data_dir(layout_.root); !prepared) saved = prepared.failure();
                  }
                  std::optional<store::Database> db;
                  std::optional<vault::Vault> vault;
                  if (saved) {
                    auto opened = detail::open_store(layout_);
                    auto v = opened ? vault::Vault::open(layout_.vault_key()) : Result<vault::Vault>(opened.failure());
                    if (!v) {
                      saved = v.failure();
                    } else {
                      db.emplace(std::move(opened).value());
                      vault.emplace(std::move(v).value());
                    }
                  }
                  if (saved) saved = accounts::insert_account(*db, account.value());
                  if (saved) {
                    // The secrets and tokens follow the row they belong to; a failure removes the half-made account.
                    if (!draft.password.empty() && account.value().auth == accounts::AuthMethod::password)
                      saved = vault::put_secret(*db, *vault, name, "password", draft.password);
                    if (saved && !draft.client_secret.empty() && account.value().auth == accounts::AuthMethod::oauth2)
                      saved = vault::put_secret(*db, *vault, name, "client_secret", draft.client_secret);
                    if (saved && pending)
                      saved = tokens::save_sign_in(*db, *vault, account.value(), pending->tokens, pending->identity);
                    if (!saved) (void)accounts::remove_account(*db, name);
                  }
                  return [this, saved, name] {
                    view_.setup.save = saved ? SetupSave::saved : SetupSave::failed;
                    view_.setup.save_failure = saved ? std::nullopt : std::optional<Failure>(saved.failure());
                    if (!saved) return;
                    view_.setup.saved_account = name;
                    pending_setup_.reset();
                    reload_accounts();
                    select(name);
                    run_checks(name);
                  };
                },
                {jobs::Lane::quick, [this](jobs::JobState, const std::string& error) {
                   view_.setup.save = SetupSave::failed;
                   view_.setup.save_failure = detail::lost_job_failure("store.failed", error, "The save");
                 }});
}

void Workspace::setup_clear() {
  if (consent_for_setup_ && consent_job_ != 0) jobs_->cancel(consent_job_);
  pending_setup_.reset();
  view_.setup = SetupView{};
}

}  // namespace md
