#!/usr/bin/env node
// A "browser command" for MailDoctor's tests: run with the authorization URL as its LAST argument,
// like xdg-open. It returns at once (exit 0) and, in a detached child, drives headless Chromium:
// signs in as LAB_BROWSER_USER / LAB_BROWSER_PASSWORD (default alice), unticks the scopes in
// LAB_BROWSER_UNTICK (comma list) or clicks Deny when LAB_BROWSER_DENY=1, follows the redirect to
// the loopback listener and prints the final page text to stderr.
//   LAB_BROWSER_WAIT=1       stay in the foreground; exit 0 redirected, 3 stopped on an error page,
//                            4 password refused, 1 other failure
//   LAB_BROWSER_RESULT=FILE  write the outcome as JSON to FILE (atomically) when done
//   LAB_BROWSER_TIMEOUT=S    give up after S seconds (default 60)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const prog = 'browser.js';
const url = process.argv[process.argv.length - 1];
if (process.argv.length < 3 || !/^https?:\/\//.test(url)) {
  process.stderr.write(`${prog}: usage: browser.js [ignored...] AUTHORIZATION_URL\n`);
  process.exit(2);
}

if (process.env.LAB_BROWSER_WAIT !== '1' && process.env.LAB_BROWSER_CHILD !== '1') {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), url], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LAB_BROWSER_CHILD: '1' },
  });
  child.unref();
  process.exit(0);
}

// Loaded only now, so that the detaching parent returns in a few milliseconds.
const { settings, launch, drive, report, log, EXIT } = await import('./lib/drive.js');

const killer = setTimeout(() => {
  log(prog, `timed out after ${settings.timeoutMs / 1000} s`);
  process.exit(1);
}, settings.timeoutMs + 5000);
killer.unref();

let code = 1;
let browser;
try {
  browser = await launch();
  const result = await Promise.race([
    drive(browser.page, { startUrl: url, issuerOrigin: new URL(url).origin, prog }),
    new Promise((resolve) => setTimeout(() => resolve({ status: 'failed', finalUrl: '', text: '', error: 'timeout' }), settings.timeoutMs).unref()),
  ]);
  if (browser.blocked.length) log(prog, `blocked outside requests: ${browser.blocked.join(' ')}`);
  report(prog, result);
  code = EXIT[result.status] ?? 1;
} catch (err) {
  report(prog, { status: 'failed', finalUrl: '', text: '', error: err.message });
} finally {
  if (browser) await browser.close();
}
process.exit(code);
