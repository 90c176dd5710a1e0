#!/usr/bin/env node
// Completes a device-code sign-in in headless Chromium: device.js USER_CODE VERIFICATION_URI.
// Enters the code, confirms, signs in and consents like browser.js (same LAB_BROWSER_* variables),
// prints the final page text to stderr. Runs in the foreground: exit 0 when the success page shows,
// 3 stopped on an error page (bad code, denied), 4 password refused, 1 other failure.
import { settings, launch, drive, report, log, EXIT } from './lib/drive.js';

const prog = 'device.js';
const [userCode, verificationUri] = process.argv.slice(2);
if (!userCode || !/^https?:\/\//.test(verificationUri || '')) {
  log(prog, 'usage: device.js USER_CODE VERIFICATION_URI');
  process.exit(2);
}
const killer = setTimeout(() => {
  log(prog, `timed out after ${settings.timeoutMs / 1000} s`);
  process.exit(1);
}, settings.timeoutMs + 5000);
killer.unref();

let code = 1;
let browser;
try {
  browser = await launch();
  const result = await drive(browser.page, { startUrl: verificationUri, issuerOrigin: new URL(verificationUri).origin, userCode, prog });
  if (result.status === 'redirected') result.status = 'error_page'; // a device flow never leaves the server
  report(prog, result);
  code = EXIT[result.status] ?? 1;
} catch (err) {
  report(prog, { status: 'failed', finalUrl: '', text: '', error: err.message });
} finally {
  if (browser) await browser.close();
}
process.exit(code);
