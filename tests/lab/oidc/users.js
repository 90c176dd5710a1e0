// The lab's users and OAuth clients: one table read by the OIDC server and by lab.sh (which writes
// Dovecot's passwd-file from it), so sign-in and mail passwords always agree.
export const MAIL_SCOPE = 'mail';

// mailbox: false = the user can sign in at the OIDC server but Dovecot knows no such mailbox.
export const USERS = [
  { email: 'alice@example.test', password: 'alice-pw', name: 'Alice Lab', mailbox: true },
  { email: 'bob@example.test', password: 'bob-pw', name: 'Bob Lab', mailbox: true },
  { email: 'carol@example.test', password: 'carol-pw', name: 'Carol NoMailbox', mailbox: false },
  // The mailbox sync tests fill and empty this one; the others keep their few messages.
  { email: 'dave@example.test', password: 'dave-pw', name: 'Dave Sync', mailbox: true },
];

// RFC 8252 loopback redirects: oidc-provider accepts any port on these for native clients.
const LOOPBACK_REDIRECTS = [
  'http://127.0.0.1/', 'http://127.0.0.1/callback',
  'http://localhost/', 'http://localhost/callback',
  'http://[::1]/', 'http://[::1]/callback',
];

export const PUBLIC_CLIENT_ID = 'maildoctor-test';
export const SECRET_CLIENT_ID = 'maildoctor-secret';
export const SECRET_CLIENT_SECRET = 'lab-installed-app-secret';
export const INTROSPECT_CLIENT_ID = 'dovecot-introspect';
export const INTROSPECT_CLIENT_SECRET = 'lab-introspection-secret';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export const CLIENTS = [
  {
    // A desktop app: public, PKCE S256 required, loopback redirect on any port.
    client_id: PUBLIC_CLIENT_ID,
    client_name: 'MailDoctor (lab public client)',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: LOOPBACK_REDIRECTS,
    grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
    response_types: ['code'],
  },
  {
    // Like a Google "installed app": native, with a secret sent in the token request body.
    client_id: SECRET_CLIENT_ID,
    client_secret: SECRET_CLIENT_SECRET,
    client_name: 'MailDoctor (lab installed-app client)',
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: LOOPBACK_REDIRECTS,
    grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
    response_types: ['code'],
  },
  {
    // Dovecot's oauth2 passdb: only introspects tokens (HTTP Basic credentials from its URL).
    client_id: INTROSPECT_CLIENT_ID,
    client_secret: INTROSPECT_CLIENT_SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  },
];
