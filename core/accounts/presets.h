// Provider presets: what Gmail and Microsoft 365 really use (see shared/PROVIDER-FACTS.md), as data.
#pragma once

#include <span>
#include <string_view>

#include "accounts/account.h"

namespace md::accounts {

// Fills hosts, ports, security and OAuth endpoints/scopes for the provider; custom fills nothing.
// tenant applies to Microsoft ("common" when empty).
void apply_preset(Account& a, std::string_view tenant = {});

struct ProviderHost {
  std::string_view role;  // "sign-in", "token", "imap", "pop3", "smtp"
  std::string_view host;
  int port;
  bool starttls = false;  // TLS after the protocol's STARTTLS (submission on 587), not from the first byte
};
// Every host a provider's accounts talk to: the installer's quick connectivity test checks these.
std::span<const ProviderHost> provider_hosts(Provider p);

}  // namespace md::accounts
