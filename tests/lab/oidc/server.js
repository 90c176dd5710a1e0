// The lab's OAuth 2.0 / OpenID Connect authorization server (oidc-provider 9) on 127.0.0.1, plain http.
// Owns: the clients the tests use, the user table, our own login/consent/device/error pages (no
// outside asset, so a headless browser makes no outside request), opaque access tokens that carry
// `email` for Dovecot's introspection, and a few /lab/ admin endpoints for tests.
//
// Environment: LAB_OIDC_PORT (required), LAB_ACCESS_TOKEN_TTL (seconds, default 3600).
// Its one argument, the lab folder, is only there so `ps` shows which lab a server belongs to.
import http from 'node:http';
import crypto from 'node:crypto';
import { URL, URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

import { USERS, CLIENTS, MAIL_SCOPE } from './users.js';

const port = Number(process.env.LAB_OIDC_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('oidc/server.js: set LAB_OIDC_PORT');
  process.exit(2);
}
const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;

// Mutable at run time through POST /lab/ttl so a test can shorten token lifetimes without a restart.
const state = {
  accessTokenTtl: Number(process.env.LAB_ACCESS_TOKEN_TTL || 3600),
};

// ---------------------------------------------------------------------------------------------
// Storage: in memory, like oidc-provider's own, but without its 1000-entry LRU limit and with a
// way to drop every token of an account (POST /lab/revoke-all).
const store = new Map(); // `${model}:${id}` -> { payload, expiresAt }
// Every token value ever issued, so leak tests can search the product's files for them
// (GET /lab/issued-tokens). Opaque tokens' ids are their values.
const issued = { AccessToken: new Set(), RefreshToken: new Set(), AuthorizationCode: new Set(), DeviceCode: new Set() };

function live(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt && entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry.payload;
}

class LabAdapter {
  constructor(model) { this.model = model; }

  key(id) { return `${this.model}:${id}`; }

  async upsert(id, payload, expiresIn) {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : 0;
    store.set(this.key(id), { payload, expiresAt });
    if (issued[this.model]) issued[this.model].add(id);
  }

  async find(id) { return live(this.key(id)); }

  async findByUid(uid) {
    for (const [key, entry] of store) {
      if (key.startsWith(`${this.model}:`) && entry.payload.uid === uid) return live(key);
    }
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const [key, entry] of store) {
      if (key.startsWith(`${this.model}:`) && entry.payload.userCode === userCode) return live(key);
    }
    return undefined;
  }

  async consume(id) {
    const payload = live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) { store.delete(this.key(id)); }

  async revokeByGrantId(grantId) {
    for (const [key, entry] of store) {
      if (entry.payload.grantId === grantId) store.delete(key);
    }
  }
}

// Drops every grant, token, code and session of one account (or of all accounts when email is empty).
function revokeAll(email) {
  let removed = 0;
  for (const [key, entry] of store) {
    const p = entry.payload;
    const owner = p.accountId || p.account;
    if (!owner) continue;
    if (email && owner.toLowerCase() !== email.toLowerCase()) continue;
    store.delete(key);
    removed += 1;
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Plain pages. Every page is self-contained: no font, script or image from anywhere.
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto}label{display:block;margin:.4em 0}
.error{color:#b00}button{margin:.5em .5em 0 0}</style></head>
<body><h1>${esc(title)}</h1>
${body}
</body></html>`;
}

function sendHtml(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

function sendJson(res, status, obj) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(obj)}\n`);
}

function loginPage(uid, clientId, error, loginHint) {
  return page('Sign in to the MailDoctor lab', `
<p>Application: <b id="client">${esc(clientId)}</b></p>
${error ? `<p class="error" id="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label>Email <input type="text" name="login" id="login" value="${esc(loginHint || '')}" autofocus></label>
<label>Password <input type="password" name="password" id="password"></label>
<button type="submit" id="signin">Sign in</button>
</form>
<form method="post" action="/interaction/${esc(uid)}/abort"><button type="submit" id="cancel">Cancel</button></form>`);
}

const SCOPE_TEXT = {
  openid: 'Sign you in (openid)',
  email: 'Read your email address (email)',
  offline_access: 'Stay signed in (offline_access)',
  [MAIL_SCOPE]: `Read, send and delete your mail over IMAP, POP3 and SMTP (${MAIL_SCOPE})`,
};

function consentPage(uid, clientId, account, scopes) {
  const boxes = scopes.map((s) => `<label><input type="checkbox" name="scope" value="${esc(s)}" id="scope-${esc(s)}" checked> ${esc(SCOPE_TEXT[s] || s)}</label>`).join('\n');
  return page('Grant access', `
<p>Signed in as <b id="account">${esc(account)}</b>.</p>
<p><b>${esc(clientId)}</b> asks for:</p>
<form method="post" action="/interaction/${esc(uid)}/confirm">
${boxes}
<button type="submit" name="action" value="allow" id="allow">Allow</button>
<button type="submit" name="action" value="deny" id="deny">Deny</button>
</form>`);
}

// ---------------------------------------------------------------------------------------------
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'lab-rs256', use: 'sig', alg: 'RS256' };

const configuration = {
  adapter: LabAdapter,
  clients: CLIENTS,
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  scopes: ['openid', 'email', 'offline_access', MAIL_SCOPE],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
  },
  // conformIdTokenClaims stays at oidc-provider's default (true): as OpenID Connect Core 5.4 allows,
  // the id_token of a code flow carries only `sub`, and the email comes from UserInfo. Other
  // conformant providers do the same; MailDoctor must cope with it (issue 12).
  async findAccount(_ctx, id) {
    const user = USERS.find((u) => u.email === id);
    if (!user) return undefined;
    return {
      accountId: user.email,
      async claims() {
        return { sub: user.email, email: user.email, email_verified: true, name: user.name };
      },
    };
  },
  // Opaque access tokens (the default) carry the address, so Dovecot's introspection can match it
  // to the SASL user (username_attribute = email).
  async extraTokenClaims(_ctx, token) {
    if (token.kind === 'AccessToken' && token.accountId) return { email: token.accountId };
    return undefined;
  },
  // Google-like: a refresh token whenever the mail scope (or offline_access) is granted.
  async issueRefreshToken(_ctx, client, source) {
    return client.grantTypeAllowed('refresh_token')
      && (source.scopes.has(MAIL_SCOPE) || source.scopes.has('offline_access'));
  },
  expiresWithSession: async () => false,
  pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
  ttl: {
    AccessToken: () => state.accessTokenTtl,
    AuthorizationCode: 120,
    DeviceCode: 600,
    IdToken: 3600,
    Interaction: 900,
    Session: 86400,
    Grant: 14 * 86400,
    RefreshToken: 14 * 86400,
  },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout">Sign out</button>
<button type="submit" form="op.logoutForm" id="stay">Stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p id="result">You are signed out.</p>');
      },
    },
    deviceFlow: {
      enabled: true,
      async userCodeInputSource(ctx, form, _out, err) {
        let msg = '<p>Enter the code shown on your device.</p>';
        if (err && (err.userCode || err.name === 'NoCodeError')) msg = '<p class="error" id="error">The code you entered is incorrect.</p>';
        else if (err && err.name === 'AbortedError') msg = '<p class="error" id="error">The sign-in request was interrupted.</p>';
        else if (err) msg = '<p class="error" id="error">There was an error processing your request.</p>';
        ctx.body = page('Device sign-in', `${msg}${form}<button type="submit" form="op.deviceInputForm" id="continue">Continue</button>`);
      },
      async userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
        ctx.body = page('Confirm device', `<p><b>${esc(client.clientName || client.clientId)}</b> shows the code <code id="user_code">${esc(userCode)}</code>.</p>
${form}<button type="submit" form="op.deviceConfirmForm" id="continue">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes" id="abort">Abort</button>`);
      },
      async successSource(ctx) {
        ctx.body = page('Device sign-in complete', '<p id="result">Your device is signed in. You can close this page.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Sign-in error', Object.entries(out).map(([k, v]) => `<p><b>${esc(k)}</b>: <span id="${esc(k)}">${esc(v)}</span></p>`).join('\n'));
  },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;

// ---------------------------------------------------------------------------------------------
function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      data += chunk;
      if (data.length > 1e6) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

async function handleInteraction(req, res, url) {
  const parts = url.pathname.split('/').filter(Boolean); // ['interaction', uid, action?]
  const action = parts[2] || '';
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;

  if (req.method === 'GET' && action === '') {
    if (prompt.name === 'login') {
      return sendHtml(res, 200, loginPage(uid, params.client_id, '', params.login_hint));
    }
    const scopes = [...new Set([...(prompt.details.missingOIDCScope || []), ...String(params.scope || '').split(' ').filter(Boolean)])];
    return sendHtml(res, 200, consentPage(uid, params.client_id, session?.accountId, scopes));
  }

  if (req.method !== 'POST') return sendHtml(res, 405, page('Not allowed', '<p>Method not allowed.</p>'));
  const form = await readBody(req);

  if (action === 'login') {
    if (prompt.name !== 'login') return sendHtml(res, 400, page('Sign-in error', '<p>Not at the sign-in step.</p>'));
    const login = String(form.get('login') || '').trim().toLowerCase();
    const user = USERS.find((u) => u.email === login);
    if (!user || form.get('password') !== user.password) {
      console.log(`login failed for ${JSON.stringify(login)}`);
      return sendHtml(res, 200, loginPage(uid, params.client_id, 'Wrong email address or password.', login));
    }
    console.log(`login ok for ${user.email}`);
    return provider.interactionFinished(req, res, { login: { accountId: user.email } }, { mergeWithLastSubmission: false });
  }

  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
  }

  if (action === 'confirm') {
    if (prompt.name !== 'consent') return sendHtml(res, 400, page('Sign-in error', '<p>Not at the consent step.</p>'));
    if (form.get('action') === 'deny') {
      console.log(`consent denied by ${session.accountId}`);
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User denied the request' }, { mergeWithLastSubmission: false });
    }
    const ticked = new Set(form.getAll('scope'));
    const requested = String(params.scope || '').split(' ').filter(Boolean);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const granted = requested.filter((s) => ticked.has(s));
    const rejected = requested.filter((s) => !ticked.has(s));
    if (granted.length) grant.addOIDCScope(granted.join(' '));
    if (rejected.length) grant.rejectOIDCScope(rejected.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.filter((s) => ticked.has(s)).join(' '));
    }
    const grantId = await grant.save();
    console.log(`consent by ${session.accountId}: granted [${granted.join(' ')}] rejected [${rejected.join(' ')}]`);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return sendHtml(res, 404, page('Not found', '<p>No such page.</p>'));
}

async function handleLab(req, res, url) {
  if (url.pathname === '/lab/health') return sendJson(res, 200, { ok: true, issuer, access_token_ttl: state.accessTokenTtl });
  if (url.pathname === '/lab/issued-tokens') {
    return sendJson(res, 200, {
      access_token: [...issued.AccessToken], refresh_token: [...issued.RefreshToken],
      authorization_code: [...issued.AuthorizationCode], device_code: [...issued.DeviceCode],
    });
  }
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
  if (url.pathname === '/lab/revoke-all') {
    const email = url.searchParams.get('email') || '';
    const removed = revokeAll(email);
    console.log(`lab: revoke-all ${email || '(everyone)'}: ${removed} entries`);
    return sendJson(res, 200, { ok: true, email, removed });
  }
  if (url.pathname === '/lab/ttl') {
    const seconds = Number(url.searchParams.get('access_token') ?? url.searchParams.get('seconds'));
    if (!Number.isInteger(seconds) || seconds <= 0) return sendJson(res, 400, { error: 'access_token=N (seconds, > 0)' });
    state.accessTokenTtl = seconds;
    console.log(`lab: access token ttl now ${seconds}s`);
    return sendJson(res, 200, { ok: true, access_token_ttl: seconds });
  }
  return sendJson(res, 404, { error: 'no such lab endpoint' });
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  res.on('finish', () => console.log(`${new Date().toISOString()} ${req.method} ${url.pathname} -> ${res.statusCode}`));
  try {
    if (url.pathname.startsWith('/interaction/')) return await handleInteraction(req, res, url);
    if (url.pathname.startsWith('/lab/')) return await handleLab(req, res, url);
    return callback(req, res);
  } catch (err) {
    console.error(`error on ${req.method} ${url.pathname}:`, err);
    if (!res.headersSent) sendHtml(res, err.statusCode || 500, page('Sign-in error', `<p class="error" id="error">${esc(err.name)}: ${esc(err.message)}</p>`));
    else res.end();
  }
});

provider.on('server_error', (_ctx, err) => console.error('server_error', err));
provider.on('grant.error', (_ctx, err) => console.log(`grant.error ${err.name}: ${err.message}`));

server.listen(port, host, () => console.log(`oidc-provider listening on ${issuer} (access token ttl ${state.accessTokenTtl}s)`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { server.close(); process.exit(0); });
