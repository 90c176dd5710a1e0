#!/usr/bin/env node
// find_secrets.js DIR... : asks the lab's OAuth server for every token it ever issued and searches
// every file under the given directories for each of them — raw, base64 and URL-encoded. Exits 1
// naming the file when one is found, 2 when the lab cannot be asked. Needs LAB_ADMIN_URL, and
// optionally EXTRA_SECRETS (comma list: passwords, client secrets used by the test).
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const dirs = process.argv.slice(2);
  const res = await fetch(`${process.env.LAB_ADMIN_URL}/issued-tokens`);
  if (!res.ok) { console.error(`lab answered ${res.status}`); process.exit(2); }
  const issued = await res.json();
  const secrets = [...issued.access_token, ...issued.refresh_token,
                   ...(process.env.EXTRA_SECRETS || '').split(',').filter(Boolean)];
  if (issued.access_token.length === 0) { console.error('the lab issued no token: nothing to look for'); process.exit(2); }
  const needles = [];
  for (const s of secrets) {
    needles.push([s, 'raw'], [Buffer.from(s).toString('base64'), 'base64'],
                 [Buffer.from(s).toString('base64').replace(/=+$/, ''), 'base64 (unpadded)'],
                 [encodeURIComponent(s), 'url-encoded']);
  }
  let files = 0, found = 0;
  const walk = (p) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) { for (const e of fs.readdirSync(p)) walk(path.join(p, e)); return; }
    if (!st.isFile()) return;
    files++;
    const bytes = fs.readFileSync(p);
    for (const [needle, form] of needles) {
      if (needle.length >= 8 && bytes.includes(needle)) {
        console.error(`LEAK: ${p} contains a secret (${form}, ${needle.slice(0, 6)}...)`);
        found++;
      }
    }
  };
  for (const d of dirs) walk(d);
  console.log(`searched ${files} files for ${secrets.length} secrets in ${needles.length} forms: ${found} found`);
  process.exit(found ? 1 : 0);
}
main().catch((e) => { console.error(e); process.exit(2); });
