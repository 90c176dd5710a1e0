// Writes N realistic RFC 5322 messages into a Maildir's cur/ with proper Maildir names
// (S= size, W= CRLF size, :2, flags). Deterministic content per (run, index); unique Message-IDs.
// Usage: node seed.js MAILDIR N UID GID USER
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

const [maildir, nArg, uidArg, gidArg, user] = process.argv.slice(2);
const n = Number(nArg);
const uid = Number(uidArg);
const gid = Number(gidArg);
if (!maildir || !Number.isInteger(n) || n < 0) {
  console.error('usage: seed.js MAILDIR N UID GID USER');
  process.exit(2);
}

function rng(seed) { // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ('the of and to in is for on that with as by this be are from at or it an we will your our '
  + 'meeting invoice report account server mailbox project update please review attached schedule '
  + 'quarter budget customer support ticket password backup network printer office practice patient '
  + 'appointment monday tuesday friday thanks regards question answer release version change '
  + 'install configure download message folder calendar contract delivery order payment reminder').split(' ');
const PEOPLE = ['Anna Berg <anna.berg@partner.example>', 'Ben Carter <ben@supplier.example>',
  'Chloé Dubois <chloe.dubois@clinic.example>', 'Dev Ops <noreply@monitoring.example>',
  'Erik Jansen <erik@lab.example.test>', '"Finance Team" <finance@example.test>',
  'Grace Hopper <grace@navy.example>', 'Hiro Tanaka <hiro.tanaka@client.example>'];

const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const host = os.hostname().replace(/[/:]/g, '_');
const base = Date.now() - 365 * 86400 * 1000;
const step = n > 0 ? Math.floor((365 * 86400 * 1000) / n) : 0;

function sentence(r, words) {
  const out = [];
  for (let i = 0; i < words; i += 1) out.push(WORDS[Math.floor(r() * WORDS.length)]);
  const s = out.join(' ');
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

function paragraphs(r, bytes) {
  const lines = [];
  let size = 0;
  while (size < bytes) {
    const p = [];
    for (let i = 0, k = 2 + Math.floor(r() * 5); i < k; i += 1) p.push(sentence(r, 6 + Math.floor(r() * 14)));
    // wrap at ~72 columns
    let line = '';
    for (const w of p.join(' ').split(' ')) {
      if (line.length + w.length > 72) { lines.push(line); size += line.length + 1; line = ''; }
      line = line ? `${line} ${w}` : w;
    }
    lines.push(line, '');
    size += line.length + 2;
  }
  return lines.join('\n');
}

function base64Lines(buf) {
  return buf.toString('base64').replace(/.{76}/g, '$&\n').replace(/\n$/, '');
}

function message(i) {
  const r = rng(i * 2654435761 + 12345);
  const date = new Date(base + i * step + Math.floor(r() * step));
  const from = PEOPLE[Math.floor(r() * PEOPLE.length)];
  const subject = `${sentence(r, 3 + Math.floor(r() * 6)).replace(/\.$/, '')} #${i + 1}`;
  const msgId = `<${runId}.${i + 1}@seed.lab.example.test>`;
  const kind = r();
  const head = [
    `Return-Path: <${from.replace(/.*<|>.*/g, '')}>`,
    `Received: from mx.partner.example (mx.partner.example [192.0.2.${1 + (i % 250)}])\n\tby mail.lab.example.test with ESMTPS id ${crypto.randomBytes(6).toString('hex')}\n\tfor <${user}>; ${date.toUTCString().replace('GMT', '+0000')}`,
    `From: ${from}`,
    `To: ${user}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${msgId}`,
    'MIME-Version: 1.0',
  ];
  let body;
  if (kind < 0.6) { // plain text, 1-4 KB
    head.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
    body = paragraphs(r, 800 + Math.floor(r() * 3200));
  } else if (kind < 0.9) { // text + html alternative, 4-12 KB
    const b = `alt-${runId}-${i}`;
    const text = paragraphs(r, 2000 + Math.floor(r() * 4000));
    const html = `<html><body>\n${text.split('\n\n').map((p) => `<p>${p}</p>`).join('\n')}\n</body></html>`;
    head.push(`Content-Type: multipart/alternative; boundary="${b}"`);
    body = [`--${b}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text,
      `--${b}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', html, `--${b}--`, ''].join('\n');
  } else { // text with a base64 attachment, 15-40 KB
    const b = `mix-${runId}-${i}`;
    const att = Buffer.alloc(10000 + Math.floor(r() * 18000));
    for (let k = 0; k < att.length; k += 1) att[k] = Math.floor(r() * 256);
    const name = r() < 0.5 ? `report-${i + 1}.pdf` : `scan-${i + 1}.jpg`;
    const type = name.endsWith('.pdf') ? 'application/pdf' : 'image/jpeg';
    head.push(`Content-Type: multipart/mixed; boundary="${b}"`);
    body = [`--${b}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '',
      paragraphs(r, 400 + Math.floor(r() * 1200)),
      `--${b}`, `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64', '', base64Lines(att), `--${b}--`, ''].join('\n');
  }
  return { text: `${head.join('\n')}\n\n${body}`, date, seen: r() < 0.7 };
}

for (const sub of ['cur', 'new', 'tmp']) {
  fs.mkdirSync(path.join(maildir, sub), { recursive: true });
  fs.chownSync(path.join(maildir, sub), uid, gid);
}
fs.chownSync(maildir, uid, gid);

let bytes = 0;
const t0 = Date.now();
for (let i = 0; i < n; i += 1) {
  const { text, date, seen } = message(i);
  const buf = Buffer.from(text, 'utf8');
  const lfs = text.split('\n').length - 1;
  const secs = Math.floor(date.getTime() / 1000);
  const name = `${secs}.M${i}P${process.pid}Q${runId}.${host},S=${buf.length},W=${buf.length + lfs}:2,${seen ? 'S' : ''}`;
  const file = path.join(maildir, 'cur', name);
  fs.writeFileSync(file, buf);
  fs.chownSync(file, uid, gid);
  fs.utimesSync(file, date, date);
  bytes += buf.length;
}
console.log(`wrote ${n} messages, ${(bytes / 1048576).toFixed(1)} MiB (avg ${n ? Math.round(bytes / n) : 0} bytes) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
