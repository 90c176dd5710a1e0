// A signed-in IMAP or POP3 conversation for the sync: connect, TLS (implicit or STARTTLS/STLS),
// greeting, capabilities, sign-in with the account's method. The ladder (core/diagnostics) runs
// the same conversation step by step to explain a failure; the sync only needs to know whether it
// worked, with the same failure codes (a refused sign-in is matched against the catalogue's
// server wordings, else auth.token_rejected / auth.bad_credentials).
#pragma once

#include <string>

#include "accounts/account.h"
#include "mail/connection.h"
#include "mail/imap_client.h"
#include "mail/pop3_client.h"
#include "result.h"

namespace md::sync {

struct SessionOptions {
  mail::Connection::Transcript transcript;  // every line, redacted at capture
};

// `secret`: the password or the access token, as the account signs in.
Result<mail::ImapClient> open_imap(const accounts::Account& account, const std::string& secret,
                                   const SessionOptions& options);
Result<mail::Pop3Client> open_pop3(const accounts::Account& account, const std::string& secret,
                                   const SessionOptions& options);

}  // namespace md::sync
