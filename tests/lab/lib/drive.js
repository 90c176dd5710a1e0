// Drives Debian's Chromium (headless, through playwright-core) through the lab's sign-in pages:
// login, consent (untick scopes or deny), device-code entry and confirmation. Shared by browser.js
// and device.js. Every request that does not go to a loopback address is aborted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const settings = {
  user: process.env.LAB_BROWSER_USER || 'alice@example.test',
  password: process.env.LAB_BROWSER_PASSWORD || 'alice-pw',
  untick: (process.env.LAB_BROWSER_UNTICK || '').split(',').map((s) => s.trim()).filter(Boolean),
  deny: process.env.LAB_BROWSER_DENY === '1',
  timeoutMs: Number(process.env.LAB_BROWSER_TIMEOUT || 60) * 1000,
  chromium: process.env.LAB_CHROMIUM || '/usr/bin/chromium',
};

export function log(prog, msg) {
  process.stderr.write(`${prog}: ${msg}\n`);
}

function isLoopback(url) {
  let u;
  try { u = new URL(url); } catch { return true; } // data:, about: and the like
  if (!/^https?:$|^wss?:$/.test(u.protocol)) return true;
  const h = u.hostname;
  return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\./.test(h);
}

export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'maildoctor-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: settings.chromium,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', '--no-default-browser-check', '--disable-extensions',
      '--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider',
    ],
    timeout: 30000,
  });
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(Math.min(settings.timeoutMs, 30000));
  async function close() {
    try { await context.close(); } catch { /* already gone */ }
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return { context, page, close, blocked };
}

// A query can land in the middle of a redirect chain (303s after consent, then the loopback
// page): "Execution context was destroyed". Wait for the page to settle and answer from there.
async function has(page, selector) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      return (await page.$(selector)) !== null;
    } catch (err) {
      if (!/context was destroyed|navigat/i.test(err.message)) throw err;
      await page.waitForLoadState('load').catch(() => {});
    }
  }
  return false;
}

// Clicks and waits for the navigation it causes; a failed navigation (nobody listening on the
// redirect target) is reported, not thrown.
async function clickAndWait(page, selector) {
  try {
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.click(selector),
    ]);
    return null;
  } catch (err) {
    return err;
  }
}

async function pageText(page) {
  try { return (await page.innerText('body')).trim(); } catch { return ''; }
}

// Walks the pages until the browser leaves the sign-in server (redirect to the client) or stops on
// a page it cannot act on. Returns { status, finalUrl, text, error }:
//   redirected   - left the sign-in server (the loopback listener answered, or failed: see error)
//   device_done  - device flow success page
//   error_page   - stopped on a sign-in server error page
//   login_failed - the password was refused
export async function drive(page, { startUrl, issuerOrigin, userCode, prog }) {
  const navErrors = [];
  page.on('requestfailed', (req) => {
    if (req.isNavigationRequest()) navErrors.push(`${req.url()}: ${req.failure()?.errorText}`);
  });
  let lastNavigated = startUrl;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && !frame.url().startsWith('chrome-error:')) lastNavigated = frame.url();
  });

  try {
    await page.goto(startUrl, { waitUntil: 'load' });
  } catch (err) {
    return { status: 'failed', finalUrl: lastNavigated, text: '', error: `cannot open ${startUrl}: ${err.message.split('\n')[0]}` };
  }

  for (let step = 0; step < 12; step += 1) {
    const url = page.url();
    const onIssuer = url.startsWith(issuerOrigin);
    if (!onIssuer) {
      const error = navErrors.length ? navErrors[navErrors.length - 1] : undefined;
      return { status: 'redirected', finalUrl: lastNavigated, text: await pageText(page), error };
    }
    if (await has(page, '#password')) {
      if (await has(page, '#error') && step > 0) {
        return { status: 'login_failed', finalUrl: url, text: await pageText(page) };
      }
      log(prog, `signing in as ${settings.user}`);
      await page.fill('#login', settings.user);
      await page.fill('#password', settings.password);
      await clickAndWait(page, '#signin');
      continue;
    }
    if (await has(page, '#allow')) {
      if (settings.deny) {
        log(prog, 'consent: Deny');
        await clickAndWait(page, '#deny');
        continue;
      }
      for (const scope of settings.untick) {
        if (await has(page, `input[name=scope][value="${scope}"]`)) {
          await page.uncheck(`input[name=scope][value="${scope}"]`);
          log(prog, `consent: unticked ${scope}`);
        } else {
          log(prog, `consent: no checkbox for scope ${scope}`);
        }
      }
      log(prog, 'consent: Allow');
      await clickAndWait(page, '#allow');
      continue;
    }
    if (await has(page, 'form[id="op.deviceConfirmForm"]')) {
      log(prog, 'device: confirming');
      await clickAndWait(page, '#continue');
      continue;
    }
    if (await has(page, 'input[name=user_code]:not([type=hidden])')) {
      if (await has(page, '#error')) return { status: 'error_page', finalUrl: url, text: await pageText(page) };
      if (!userCode) return { status: 'error_page', finalUrl: url, text: await pageText(page), error: 'asked for a user code' };
      log(prog, `device: entering code ${userCode}`);
      await page.fill('input[name=user_code]:not([type=hidden])', userCode);
      await clickAndWait(page, '#continue');
      continue;
    }
    if (await has(page, '#result')) return { status: 'device_done', finalUrl: url, text: await pageText(page) };
    return { status: 'error_page', finalUrl: url, text: await pageText(page) };
  }
  return { status: 'failed', finalUrl: page.url(), text: await pageText(page), error: 'too many pages' };
}

export function report(prog, result) {
  log(prog, `${result.status}: ${result.finalUrl}`);
  if (result.error) log(prog, `error: ${result.error}`);
  if (result.text) process.stderr.write(`${result.text}\n`);
  if (process.env.LAB_BROWSER_RESULT) {
    const file = process.env.LAB_BROWSER_RESULT;
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(result)}\n`);
    fs.renameSync(`${file}.tmp`, file);
  }
}

export const EXIT = { redirected: 0, device_done: 0, error_page: 3, login_failed: 4, failed: 1 };
