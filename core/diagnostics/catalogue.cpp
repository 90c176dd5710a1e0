#include "diagnostics/catalogue.h"

#include <algorithm>

namespace md::diagnostics {
namespace {

// Ordered by the step where the failure shows up: network, TLS, protocol, sign-in, OAuth, mailbox,
// then MailDoctor's own files and usage.
constexpr CatalogueEntry kCatalogue[] = {
    // --- Network ---------------------------------------------------------------------------------
    {"dns.not_found", "Server name not found", "The server's name does not exist in DNS, as seen from this computer.",
     "Check the host name for typos. If it is right, this network's DNS cannot see it: try another "
     "network or ask the network administrator which DNS servers the computer uses."},
    {"dns.failed", "DNS lookup failed",
     "This computer could not ask its DNS servers for the server's address (no answer or an error).",
     "Check the network connection and the DNS settings; a firewall or captive portal may block DNS."},
    {"tcp.refused", "Connection refused",
     "The server's address answered, but nothing accepts connections on that port.",
     "Check the port number and the security setting (993 for IMAP over TLS, 995 for POP3 over TLS, "
     "465 or 587 for SMTP). A local firewall or antivirus can also refuse on the server's behalf."},
    {"tcp.timeout", "No answer from the server",
     "The server did not answer before the time limit: the connection attempt got no answer (something on "
     "the way drops it), or the server stopped answering in the middle of the conversation.",
     "A firewall often blocks mail ports (993, 995, 465, 587). Ask the network administrator to allow "
     "outgoing connections to the server on that port, or try another network. When it went quiet after "
     "connecting, the server or a device on the way may be overloaded: try again later."},
    {"tcp.unreachable", "Network unreachable", "This computer has no route to the server's network.",
     "Check that the computer is online (cable, Wi-Fi, VPN) and that its gateway works."},
    {"proxy.failed", "Proxy failed", "A proxy server is configured and it refused or failed to pass the connection on.",
     "Check the proxy settings (HTTPS_PROXY / ALL_PROXY) and whether the proxy allows this server and port."},
    // --- TLS -------------------------------------------------------------------------------------
    {"tls.cert_expired", "Server certificate expired",
     "The server presented a certificate whose validity ended. Either the server's certificate really "
     "expired, or this computer's clock is wrong.",
     "Check the computer's date and time. If they are right, the server's operator must renew the certificate."},
    {"tls.cert_not_yet_valid", "Server certificate not yet valid",
     "The server's certificate starts being valid in the future: almost always this computer's clock "
     "is behind.",
     "Set the computer's date, time and time zone correctly (turn on automatic time), then try again."},
    {"tls.cert_untrusted", "Server certificate not trusted",
     "The server's certificate was not issued by an authority this computer trusts. Antivirus or "
     "firewall \"TLS inspection\" (HTTPS scanning) replaces certificates like this.",
     "Turn off email/HTTPS scanning in the antivirus or firewall for this server, or ask the network "
     "administrator to exempt it. If the server uses a private authority, give its certificate with --ca-file."},
    {"tls.intercepted", "Connection intercepted by TLS inspection",
     "The server's certificate was issued by an antivirus or firewall product that inspects secure "
     "connections (the issuer names it), and this program does not trust that product's authority. "
     "The mail server itself is not at fault.",
     "In the named product, turn off email/HTTPS scanning (\"SSL/TLS scanning\", \"encrypted "
     "connection scanning\") for this server, or ask the network administrator to exempt it from TLS "
     "inspection."},
    {"tls.hostname_mismatch", "Certificate is for another name",
     "The server's certificate does not name the host you connected to.",
     "Check the host name (use the provider's official name, e.g. imap.gmail.com). A mismatch on the "
     "right name points to TLS inspection or a wrong DNS answer."},
    {"tls.timeout", "No answer to the secure connection",
     "The server accepted the connection, then never answered the start of the secure (TLS) connection "
     "before the time limit. Something holds the connection open without passing it on: a firewall or "
     "proxy that accepts and then drops the traffic, a TLS-inspection device, or an overloaded server.",
     "Try again in a few minutes. If it persists, ask the network administrator whether a firewall, proxy or "
     "antivirus filters this port, or try another network to compare. If the port is meant for STARTTLS "
     "(143, 110, 587), choose STARTTLS instead of TLS."},
    {"tls.handshake_failed", "Secure connection failed",
     "The TLS handshake failed: the server and this computer could not agree on a secure connection, "
     "or the port does not speak TLS.",
     "Check the security setting: port 993/995/465 use TLS from the start, 143/110/587 use STARTTLS."},
    {"tls.starttls_unavailable", "Server does not offer STARTTLS",
     "The account is set to upgrade the connection with STARTTLS, but the server does not offer it.",
     "Use the TLS port instead (993 for IMAP, 995 for POP3, 465 for SMTP), or check that nothing on the "
     "network strips STARTTLS from the server's answers."},
    // --- Protocol --------------------------------------------------------------------------------
    {"protocol.reply_too_large", "The server's answer never ended",
     "The mail server kept sending one answer far beyond what any real mailbox needs (millions of lines or "
     "hundreds of megabytes), so MailDoctor stopped reading it rather than fill this computer's memory.",
     "This is a fault of the server or of something between (a proxy or antivirus mangling the connection). "
     "Try again; if it repeats, send the protocol log (Save report...) to the mail provider."},
    {"protocol.no_greeting", "Server connected but said nothing",
     "The connection opened but the server sent no greeting: usually a TLS port used without TLS, "
     "or the wrong port.",
     "Check the port and the security setting (TLS on 993/995/465, STARTTLS on 143/110/587)."},
    {"protocol.unexpected_greeting", "Not a mail server of this kind",
     "The server answered, but not as an IMAP, POP3 or SMTP server of the kind expected.",
     "Check the host and port: they may belong to another service (a web server, another protocol)."},
    {"protocol.bad_response", "Server's answer could not be understood",
     "The server sent a reply that does not follow the protocol.",
     "Try again; if it persists, save a report and send it to the server's operator."},
    {"protocol.connection_lost", "Connection dropped",
     "The server or something on the network closed the connection in the middle of a conversation.",
     "Try again. If it keeps happening, a firewall or antivirus may cut long connections."},
    // --- Sign-in at the mail server --------------------------------------------------------------
    {"auth.mechanism_unavailable", "Sign-in method not offered",
     "The server does not offer the sign-in method this account uses (for example XOAUTH2 or PLAIN).",
     "For Gmail and Microsoft use OAuth 2.0. For other servers check which methods it offers (see the "
     "capabilities step) and choose one of those."},
    {"auth.token_rejected", "Mail server refused the token",
     "The mail server refused the access token: it expired, was revoked, lacks the mail permission, "
     "or belongs to another account.",
     "Sign in again (Re-authenticate). If it keeps failing, check that the mail protocol is enabled "
     "for this mailbox."},
    {"auth.bad_credentials", "User name or password not accepted", "The server refused the user name or password.",
     "Check the user name (often the full email address) and the password. Gmail and Microsoft "
     "accounts need OAuth 2.0 or an app password."},
    {"auth.identity_mismatch", "Signed in as another account",
     "The browser signed in with a different account than the one being set up.",
     "Authenticate again and choose the right account in the browser (sign out of the other one first "
     "if the browser picks it automatically)."},
    {"auth.scope_missing", "Mail permission not granted",
     "The sign-in succeeded, but the mail permission was not granted (it was unticked on the consent "
     "page, or the app is not allowed to ask for it).",
     "Authenticate again and allow access to email on the consent page. For an organisation account, an "
     "administrator may need to allow the app."},
    {"auth.not_connected", "Signed in but mailbox not connected",
     "The server accepted the sign-in and then refused every command (Microsoft: \"User is "
     "authenticated but not connected\"): the token belongs to another user than the mailbox, the "
     "account has no mailbox, or IMAP/POP is off for it.",
     "Check that the address matches the signed-in account, that the mailbox exists, and that IMAP/POP "
     "is enabled for it in the Microsoft 365 admin centre."},
    {"auth.imap_disabled", "IMAP is turned off for this account",
     "The provider says IMAP access is not enabled for this account.",
     "Gmail: Settings > See all settings > Forwarding and POP/IMAP > Enable IMAP. Microsoft 365: the "
     "admin enables IMAP for the mailbox."},
    {"auth.web_login_required", "Provider wants a browser sign-in first",
     "The provider blocked the sign-in until the user signs in on the web (\"Please log in via your "
     "web browser\"): a security check is pending.",
     "Sign in to the account in a browser on this network, complete any security check, then try again."},
    {"auth.app_password_required", "App password required",
     "The account uses 2-step verification and refuses its normal password for mail programs.",
     "Use OAuth 2.0 sign-in (recommended), or create an app password in the account's security settings."},
    {"auth.smtp_auth_disabled", "SMTP sign-in turned off for the organisation",
     "Microsoft 365 refused the sign-in because SMTP AUTH is disabled for the tenant or the mailbox.",
     "An administrator enables Authenticated SMTP for this mailbox (Microsoft 365 admin centre > "
     "user > Mail > Manage email apps)."},
    {"auth.mfa_required", "Multi-factor sign-in required",
     "The organisation's policy (Conditional Access or security defaults) requires multi-factor authentication for "
     "this account, and the saved sign-in does not satisfy it. Simply retrying with the same sign-in does not help.",
     "Authenticate again interactively in the browser and complete the multi-factor prompt. If no prompt appears or it "
     "keeps failing, the organisation's administrator must check the Conditional Access policy for this app and user."},
    {"auth.conditional_access", "Blocked by the organisation's access policy",
     "A Conditional Access policy set by the administrator blocks this sign-in (for example location, device not "
     "managed or compliant, or app not allowed). Signing in again does not help.",
     "Ask the organisation's administrator to check the Conditional Access sign-in log for this user and app, and to "
     "allow it or tell you which device or network to use."},
    {"auth.wrong_tenant", "Account not in the app's organisation",
     "The account does not exist in the Microsoft tenant the app signs in to: a typo in the address, a personal "
     "Microsoft account used with an organisation-only app, or a guest account.",
     "Check the email address, and that the app registration's tenant (common, organizations or the tenant id) matches "
     "the account's organisation."},
    {"auth.account_locked", "Account locked", "The account is locked after too many wrong passwords (smart lockout).",
     "Wait until the lock expires (or ask the administrator to unlock it), then sign in with the right password."},
    {"auth.password_expired", "Password expired",
     "The account's password has expired and must be changed before any sign-in works.",
     "Change the password by signing in on the provider's web page (or ask the administrator to reset it), then "
     "authenticate again."},
    {"auth.account_disabled", "Account disabled",
     "The account is disabled (blocked from signing in) in the organisation's directory.",
     "Ask the organisation's administrator to re-enable the account."},
    {"auth.basic_auth_disabled", "Password sign-in turned off by the provider",
     "The server no longer accepts a password (basic authentication) for this account, for example Outlook.com and "
     "Exchange Online. App passwords use the same path and are refused too.",
     "Switch the account to OAuth 2.0 sign-in (Re-authenticate with OAuth). No password change will fix this."},
    {"auth.temporary_failure", "Temporary sign-in failure",
     "The server could not check the sign-in right now (its authentication service is unavailable or overloaded). This "
     "is not a wrong password.",
     "Wait a few minutes and try again later. If it persists, the mail server's administrator must check its "
     "authentication backend; do not change the password."},
    {"auth.in_use", "Mailbox in use by another session",
     "Another POP3 session (another device, or a program that did not log out) holds the mailbox lock.",
     "Close the other mail program or device using POP3 on this account, wait a minute and try again."},
    // --- OAuth -----------------------------------------------------------------------------------
    {"oauth.no_client", "No OAuth client configured",
     "MailDoctor ships no client id: each organisation registers its own app with Google or Microsoft.",
     "Register a desktop app (Google Cloud console > Credentials > OAuth client ID > Desktop app; or "
     "Microsoft Entra > App registrations > Mobile and desktop, redirect http://127.0.0.1), then add it "
     "with --client-id (and --client-secret for Google)."},
    {"oauth.invalid_client", "App registration not accepted",
     "The provider does not accept the app's client id or secret: wrong id, wrong tenant, a secret's ID "
     "pasted instead of its value, an expired secret, or an app registered as a web app.",
     "Check the client id and secret in the app registration. Microsoft apps must allow public client "
     "flows (Mobile and desktop platform)."},
    {"oauth.unauthorized_client", "App not allowed for this kind of account",
     "The app registration does not allow this sign-in (e.g. personal Microsoft accounts on an "
     "organisation-only app).",
     "Allow the account type in the app registration, or use the matching tenant (common, "
     "organizations, consumers)."},
    {"oauth.invalid_grant", "Sign-in expired or revoked",
     "The saved sign-in is no longer valid: it expired, the user revoked access, the password was "
     "changed, or a policy requires signing in again.",
     "Re-authenticate the account. For Google apps in \"Testing\" status, sign-ins last 7 days: publish "
     "the app to Production."},
    {"oauth.access_denied", "Access was denied", "The user (or the provider) declined access on the consent page.",
     "Authenticate again and allow access. Google apps in Testing status only accept listed test users."},
    {"oauth.redirect_uri_mismatch", "Redirect address not registered",
     "The provider refused MailDoctor's loopback redirect address (http://127.0.0.1:<port>/).",
     "Register the app as a desktop / mobile-and-desktop app with redirect http://127.0.0.1 (any port)."},
    {"oauth.admin_consent_required", "Administrator approval needed",
     "The organisation requires an administrator to approve this app before users can sign in.",
     "Ask a tenant administrator to grant consent to the app for the organisation."},
    {"oauth.consent_timeout", "Browser sign-in not finished in time",
     "MailDoctor waited for the browser to come back from the sign-in page, and it did not.",
     "Authenticate again and finish the sign-in in the browser. If the browser did not open, copy the "
     "address MailDoctor shows into a browser; without a browser, use the device code."},
    {"oauth.state_mismatch", "Sign-in answer did not match",
     "The browser came back with an answer for another sign-in attempt (an old tab, or a forged request).",
     "Close old sign-in tabs and authenticate again."},
    {"oauth.issuer_mismatch", "Sign-in answer from the wrong server",
     "The sign-in answer names another authorization server than the one MailDoctor asked.",
     "Authenticate again; if it repeats, something intercepts the sign-in: report it to IT."},
    {"oauth.endpoint_unreachable", "Sign-in server unreachable",
     "MailDoctor could not reach the provider's sign-in or token server.",
     "Check the network, proxy and firewall (HTTPS to the provider must be allowed), then try again."},
    {"oauth.bad_response", "Sign-in server's answer not understood",
     "The sign-in server answered with something that is not a valid OAuth reply (an HTML page from a "
     "proxy or captive portal, or broken JSON).",
     "Check for a captive portal or proxy login page on this network, then try again."},
    {"oauth.identity_unknown", "Signed in, but the provider did not say as whom",
     "The sign-in worked, but neither the ID token nor the provider's userinfo endpoint named the signed-in "
     "address, so MailDoctor cannot check that the right mailbox signed in.",
     "Ask for the scopes that name the address: add 'email' (or 'profile', which gives Microsoft's "
     "preferred_username) to the account's scopes, or give the provider's userinfo endpoint "
     "(--userinfo-url), then authenticate again."},
    {"oauth.bad_redirect", "Browser came back without a sign-in code",
     "The browser returned to MailDoctor without an authorization code or an error.",
     "Authenticate again from MailDoctor (do not reload an old sign-in page)."},
    {"oauth.server_error", "Sign-in server error",
     "The provider's sign-in server reported an internal or temporary error.",
     "Wait a few minutes and try again. Check the provider's status page if it persists."},
    {"oauth.invalid_scope", "Permission not available",
     "The provider does not know or does not allow one of the requested permissions (scopes).",
     "Check the scopes of the account and that the app registration may ask for mail access."},
    {"oauth.invalid_request", "Sign-in request refused",
     "The provider refused the sign-in request as malformed or not allowed for this app.",
     "Check the app registration type (desktop) and the endpoints; save a report for support."},
    {"oauth.client_deleted", "OAuth app was deleted",
     "The OAuth client id used for this account was deleted at the provider (for example in the Google Cloud console).",
     "Register a new OAuth client (Desktop app), update the account with the new client id, then authenticate again."},
    {"oauth.client_disabled", "OAuth app is disabled",
     "The app registration is disabled in the organisation (disabled by an administrator or by the provider).",
     "Ask the organisation's administrator to re-enable the enterprise application, or register a new app."},
    {"oauth.org_internal", "App limited to its own organisation",
     "The Google app is set to Internal, so only accounts of the organisation that owns it may sign in, and this "
     "account is outside it.",
     "Sign in with an account of that organisation, or have the app owner set the OAuth consent screen to External."},
    {"oauth.user_not_assigned", "User not assigned to the app",
     "The organisation requires users to be assigned to this app before they can sign in, and this user is not "
     "assigned.",
     "Ask the organisation's administrator to assign the user (or a group) to the app in Enterprise applications > "
     "Users and groups."},
    {"oauth.discovery_invalid", "Provider settings could not be read",
     "The issuer's OpenID configuration is missing, unreadable, or names another issuer.",
     "Check the issuer URL, or give the endpoints explicitly with --authorize-url and --token-url."},
    {"oauth.device_expired", "Device code expired",
     "The device code was not used before it expired (usually 15 minutes).",
     "Start the device sign-in again and enter the new code promptly."},
    {"process.failed", "Program could not be started",
     "MailDoctor could not start another program (the browser, or the system's opener).",
     "Check the program's name and that it is installed; the words below are the system's."},
    {"oauth.browser_failed", "Browser could not be opened", "MailDoctor could not start a browser on this computer.",
     "Copy the sign-in address shown into any browser, set --browser or MAILDOCTOR_BROWSER, or use "
     "the device code (auth --device)."},
    {"oauth.cancelled", "Sign-in cancelled", "The sign-in was cancelled before the browser came back.",
     "Authenticate again when ready."},
    {"oauth.listener_failed", "Could not wait for the browser",
     "MailDoctor could not open its local address (http://127.0.0.1) to receive the browser's answer.",
     "Check that security software allows MailDoctor to listen on 127.0.0.1, or use the device code."},
    {"oauth.random_failed", "No secure random numbers",
     "The system could not provide the random numbers a sign-in needs.", "Restart the computer and try again."},
    {"http.response_too_large", "Server's answer too large",
     "A sign-in server sent a far larger answer than any real one: a proxy or captive portal page, or a fault.",
     "Check for a captive portal or proxy on this network, then try again."},
    {"oauth.not_signed_in", "Not signed in yet", "This account has no saved sign-in.",
     "Authenticate the account (maildoctor auth NAME, or Authenticate in the window)."},
    // --- Mailbox ---------------------------------------------------------------------------------
    {"imap.listing_inconsistent", "The server's message list does not add up",
     "The mail server counts messages in the inbox, but neither of the two ways to list them (UID SEARCH, then "
     "UID FETCH) names them. MailDoctor stopped rather than report an incomplete download as complete.",
     "Try again later; if it repeats, the mail server's index is damaged or it is misbehaving: send the protocol "
     "log (Save report...) to the mail provider or server administrator, who can rebuild the mailbox index."},
    {"imap.mailbox_missing", "Mailbox not found", "The server has no such mailbox (folder) for this account.",
     "Check the folder name; INBOX always exists on a working account."},
    {"imap.throttled", "Server is limiting this account",
     "The server is slowing down or refusing this account because of too many connections or requests.",
     "Close other mail programs on this account, wait a few minutes and try again."},
    {"imap.server_bug", "Mail server internal error",
     "The IMAP server reported an internal error (SERVERBUG) while running a command; the request itself was valid.",
     "Try again later. If it repeats, report it to the mail provider with the saved report; the server side must fix "
     "it."},
    {"imap.over_quota", "Mailbox full",
     "The mailbox is over its storage quota, so the server refuses to store more mail.",
     "Delete or archive mail (empty Trash), or ask the administrator for more quota."},
    {"smtp.rejected", "Message refused",
     "The SMTP server refused the test message (sender or recipient not allowed, or policy).",
     "Check the sender and recipient addresses; the server's words below say which."},
    {"smtp.send_as_denied", "Not allowed to send as this address",
     "The From address is not the signed-in mailbox, and the mailbox has no Send As permission for it.",
     "Use the signed-in address as the sender (send as yourself), or ask the administrator to grant Send As permission "
     "or add the address as an alias."},
    {"smtp.quota_exceeded", "Sending limit reached",
     "The account reached the provider's sending limit (for example Gmail's daily limit or Exchange Online's "
     "recipients per day).",
     "Wait until the limit resets (usually within 24 hours) and send less; use a bulk-mail service for large volumes."},
    {"smtp.spam_blocked", "Message blocked as spam",
     "The server refused the message or the account because its spam protection flagged it (content, sender "
     "reputation, or missing SPF/DKIM/DMARC).",
     "Check the sending domain's SPF, DKIM and DMARC and the message content; sign in to the provider's webmail for a "
     "block notice or verification; the sender's administrator may need to request delisting."},
    {"smtp.throttled", "Server asks to try again later",
     "The SMTP server temporarily refused the connection or message (a 4xx reply such as 421 or 450): rate limiting or "
     "a temporary condition.",
     "Wait a few minutes and try again later; if it keeps happening, send less often or check the sending IP's "
     "reputation."},
    {"smtp.relay_denied", "Server wants you to sign in before sending",
     "The SMTP server refused the sender or recipient because the session is not signed in (or the server does not "
     "relay for this sender).",
     "Turn on SMTP authentication for the account so MailDoctor can sign in before sending; check the earlier sign-in "
     "reply."},
    {"clock.skew", "Computer clock is wrong",
     "This computer's clock differs from the server's by several minutes: sign-in tokens and "
     "certificates look expired or not yet valid.",
     "Turn on automatic date and time (and the right time zone) on this computer."},
    // --- Admins ------------------------------------------------------------------------------------
    {"admin.bad_credentials", "Admin sign-in refused", "The admin user name or password is not right.",
     "Check the user name and password. After five wrong tries in a row the admin is locked out for a while."},
    {"admin.locked_out", "Admin locked out for now",
     "Too many wrong passwords in a row: this admin is locked out until the time named below. The delay "
     "doubles with each lockout.",
     "Wait until the time shown, or sign in as another admin."},
    {"admin.weak_password", "Password too weak", "The new admin password is too short.",
     "Choose a password of at least 8 characters."},
    {"admin.not_found", "No such admin", "There is no admin with that user name.",
     "List the admins with 'maildoctor admin list'."},
    {"admin.exists", "Admin already exists", "An admin with that user name already exists.",
     "Choose another user name, or change that admin's password with 'maildoctor admin passwd'."},
    {"admin.not_authorized", "Admin rights needed", "This operation needs a signed-in admin.",
     "Sign in as an admin (or create the first admin with 'maildoctor admin add USER')."},
    {"admin.crypto_failed", "Password could not be protected",
     "The system's cryptography failed while hashing the password.",
     "Try again; if it persists, report it with the details below."},
    {"admin.invalid_name", "Admin user name not valid",
     "Admin user names are 1 to 64 letters, digits, '.', '_', '-' or '@'.", "Choose a user name of that form."},
    {"admin.hash_invalid", "Saved admin password damaged",
     "The stored password hash of this admin cannot be read, so the password cannot be checked.",
     "Another admin sets a new password with 'maildoctor admin passwd USER'."},
    {"admin.last_admin", "Cannot remove the last admin",
     "Removing this admin would leave nobody able to reset mailbox counters.",
     "Create another admin first, then remove this one."},
    {"admin.not_confirmed", "Counter reset not confirmed",
     "The reset of the mailbox counter was not confirmed, so nothing was changed.",
     "Run the reset again and answer 'yes' when asked (or add --yes in a script)."},
    {"sync.busy", "Another sync is running",
     "Another MailDoctor (the window or a command) is downloading this account's mail right now.",
     "Wait for it to finish, then try again."},
    {"sync.cancelled", "Sync cancelled",
     "The sync was stopped before it finished. Every message stored so far is kept, and the counter covers "
     "exactly those.",
     "Run the sync again: it continues where it stopped."},
    {"sync.no_mailbox", "Nothing to sync",
     "This account has neither an IMAP nor a POP3 server set up, so there is no mailbox to download.",
     "Add the account again with --imap HOST:PORT or --pop3 HOST:PORT."},
    {"report.write_failed", "Report not written", "MailDoctor could not write the report file named below.",
     "Check that the folder exists, is writable and the disk has space, then try again."},
    {"serve.listen_failed", "Cannot listen for metrics",
     "MailDoctor could not open the metrics address named below: another program uses that port, or the "
     "address is not one of this machine's.",
     "Choose another port with --metrics (or stop the program that holds it), then start serve again."},
    {"export.failed", "Export failed", "MailDoctor could not write the exported messages to the folder named below.",
     "Check that the folder is writable and the disk has space, then export again."},
    {"auth.no_password", "No password saved", "This account signs in with a password, but none is saved.",
     "Add the account again with --auth password --password-stdin."},
    // --- MailDoctor's own data and usage -----------------------------------------------------------
    {"accounts.not_found", "No such account", "There is no account with that name in this data directory.",
     "List the accounts with 'maildoctor account list'; check --data-dir / MAILDOCTOR_HOME."},
    {"accounts.exists", "Account already exists", "An account with that name already exists.",
     "Choose another name, or remove the old account first."},
    {"accounts.invalid", "Account settings not valid", "Some of the account's settings are missing or malformed.",
     "Correct the setting named below and try again."},
    {"vault.key_insecure", "Key file readable by others",
     "The key that protects saved tokens can be read by other users of this computer.",
     "Restrict it to your user (chmod 600 on the key file named below), then try again."},
    {"vault.key_invalid", "Key file damaged", "The key file that protects saved tokens is damaged.",
     "Restore it from a backup; otherwise remove it and sign in to every account again."},
    {"vault.key_unreadable", "Key file unreadable",
     "MailDoctor could not read or create the key file that protects saved tokens.",
     "Check the data directory's permissions and free space."},
    {"vault.key_unwrap_failed", "Key cannot be unlocked",
     "The key that protects saved tokens is locked by the operating system (Windows DPAPI) for another "
     "user account or another computer, or its file is damaged; or, on Linux, its entry in the desktop "
     "keyring (Secret Service) was removed or changed: this user cannot unlock it.",
     "Run MailDoctor as the user who set it up (on Windows, the same Windows user; on Linux, the same "
     "desktop keyring). If the data folder was copied from another user or computer, or the keyring "
     "entry is gone for good, remove the key file named below and sign in to every account again."},
    {"vault.keyring_locked", "Keyring locked",
     "The key that protects saved tokens is kept in the desktop keyring (Secret Service), which is "
     "locked: the unlock request was refused or not answered in time.",
     "Unlock the keyring (log in to the desktop, or open Passwords and Keys / Seahorse and unlock "
     "\"Login\"), then try again."},
    {"vault.keyring_unavailable", "Keyring not reachable",
     "The key that protects saved tokens is kept in the desktop keyring (Secret Service), but no keyring "
     "answers here: no session bus (an SSH session, a service, a container), or MAILDOCTOR_KEY_STORE=file.",
     "Run MailDoctor in the desktop session that keeps the keyring, or start and unlock one in this "
     "session (gnome-keyring-daemon --unlock); unset MAILDOCTOR_KEY_STORE=file."},
    {"vault.decrypt_failed", "Saved secret cannot be read",
     "A saved token or password could not be decrypted: the key file changed or the database was altered.",
     "Sign in to the account again (and re-enter any password)."},
    {"store.corrupt", "Database damaged", "MailDoctor's database file is damaged.",
     "Move the file named below aside and start again, or restore it from a backup."},
    {"store.too_new", "Database from a newer MailDoctor",
     "The data directory was last used by a newer version of MailDoctor.",
     "Update MailDoctor, or use another --data-dir."},
    {"store.locked", "Database busy", "Another MailDoctor (window or command) is writing to the same data directory.",
     "Wait for it to finish and try again."},
    {"store.disk_full", "Disk full", "The disk holding the data directory is full.", "Free some space and try again."},
    {"store.open_failed", "Database cannot be opened", "MailDoctor could not open its database file.",
     "Check the data directory's permissions and free space."},
    {"store.failed", "Database error", "MailDoctor's database reported an error.",
     "Try again; if it persists, save a report for support."},
    {"datadir.unknown", "No data directory", "MailDoctor cannot tell where to keep its data.",
     "Pass --data-dir DIR or set MAILDOCTOR_HOME."},
    {"datadir.unusable", "Data directory unusable", "The data directory cannot be created or used.",
     "Check the path and its permissions, or choose another with --data-dir."},
    {"log.missing", "No protocol log yet", "Nothing has been logged for this account yet.",
     "Run a check or a sync first; the protocol log fills as MailDoctor talks to the servers."},
    {"usage", "Command not understood", "The command line is not valid.", "See maildoctor --help."},
};

}  // namespace

std::span<const CatalogueEntry> catalogue() {
  return kCatalogue;
}

const CatalogueEntry* find_entry(std::string_view code) {
  auto it = std::find_if(std::begin(kCatalogue), std::end(kCatalogue),
                         [&](const CatalogueEntry& e) { return e.code == code; });
  return it == std::end(kCatalogue) ? nullptr : &*it;
}

Explanation explain(const Failure& failure) {
  Explanation out;
  out.code = failure.code;
  out.detail = failure.detail;
  if (const CatalogueEntry* e = find_entry(failure.code)) {
    out.title = e->title;
    out.reason = e->reason;
    out.remedy = e->remedy;
  } else {
    // A code without a row is a bug, but the person still gets the evidence.
    out.title = "Unexpected problem";
    out.reason = "MailDoctor met a problem it has no explanation for yet.";
    out.remedy = "Save a report and send it to support.";
  }
  return out;
}

nlohmann::json failure_json(const Failure& failure) {
  auto e = explain(failure);
  return {{"code", e.code}, {"title", e.title}, {"reason", e.reason}, {"remedy", e.remedy}, {"detail", e.detail}};
}

}  // namespace md::diagnostics
