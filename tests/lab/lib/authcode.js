#!/usr/bin/env node
// A stand-in OAuth client for tests that need a token before the product is involved: runs a
// full authorization-code + PKCE (S256) flow against the lab, the way a desktop app does it.
// Starts a loopback listener on 127.0.0.1 (random port), runs the browser command (default
// browser.js) with the authorization URL as its last argument, waits (bounded) for the redirect,
// checks state and iss, exchanges the code, and prints one JSON document on stdout:
//   {"redirect": {code, state, iss, error, ...}, "token_status": 200, "token": {...}}
// Usage: node lib/authcode.js LAB_ENV_FILE [--client public|secret] [--scope "openid email mail"]
//        [--prompt consent] [--browser CMD] [--timeout SECONDS]
// The browser is told what to do through the LAB_BROWSER_* variables (see browser.js).
import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const args = process.argv.slice(2);
const envFile = args.shift();
if (!envFile) {
  console.error('usage: authcode.js LAB_ENV_FILE [--client public|secret] [--scope S] [--prompt P] [--browser CMD] [--timeout S]');
  process.exit(2);
}
const opt = { client: 'public', scope: 'openid email offline_access mail', prompt: '', browser: '', timeout: 60 };
for (let i = 0; i < args.length; i += 2) opt[args[i].replace(/^--/, '')] = args[i + 1];

const env = Object.fromEntries(fs.readFileSync(envFile, 'utf8').split('\n')
  .filter((l) => /^[A-Z0-9_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const clientId = opt.client === 'secret' ? env.LAB_SECRET_CLIENT_ID : env.LAB_CLIENT_ID;
const browser = opt.browser || path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'browser.js');

const verifier = crypto.randomBytes(32).toString('base64url');
const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
const state = crypto.randomBytes(16).toString('base64url');

const redirect = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no redirect within ${opt.timeout} s`)), opt.timeout * 1000);
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    if (u.pathname !== '/callback') {
      res.writeHead(404).end('not here');
      return;
    }
    const q = Object.fromEntries(u.searchParams);
    const ok = q.state === state && q.code;
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(ok ? '<p>Signed in. You can close this window.</p>' : `<p>Sign-in failed: ${q.error || 'state mismatch'}</p>`);
    clearTimeout(timer);
    server.close();
    resolve(q);
  });
  server.listen(0, '127.0.0.1', () => {
    const redirectUri = `http://127.0.0.1:${server.address().port}/callback`;
    opt.redirectUri = redirectUri;
    const q = new URLSearchParams({
      client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: opt.scope,
      state, code_challenge: challenge, code_challenge_method: 'S256',
    });
    if (opt.prompt) q.set('prompt', opt.prompt);
    const url = `${env.LAB_AUTHORIZE_URL}?${q}`;
    const child = spawn(browser, [url], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', (err) => reject(new Error(`cannot run the browser command ${browser}: ${err.message}`)));
  });
}).catch((err) => {
  console.error(`authcode.js: ${err.message}`);
  process.exit(1);
});

const out = { redirect };
if (redirect.state !== state) {
  out.error = 'state mismatch';
} else if (redirect.iss !== env.LAB_ISSUER) {
  out.error = `iss mismatch: ${redirect.iss}`;
} else if (redirect.code) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code', code: redirect.code, redirect_uri: opt.redirectUri,
    client_id: clientId, code_verifier: verifier,
  });
  if (opt.client === 'secret') body.set('client_secret', env.LAB_SECRET_CLIENT_SECRET);
  const r = await fetch(env.LAB_TOKEN_URL, { method: 'POST', body });
  out.token_status = r.status;
  out.token = await r.json();
}
console.log(JSON.stringify(out));
