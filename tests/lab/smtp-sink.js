// The SMTP sink Dovecot's submission service relays to: accepts every message on 127.0.0.1 and
// writes it to SINK_DIR as <n>.eml (raw message) plus <n>.json (envelope). Each .eml appears at
// once (written to a temp name, then renamed), so a test can poll the folder.
// Usage: node smtp-sink.js PORT SINK_DIR
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2]);
const dir = process.argv[3];
if (!port || !dir) {
  console.error('usage: smtp-sink.js PORT SINK_DIR');
  process.exit(2);
}
fs.mkdirSync(dir, { recursive: true });
let count = 0;

const server = new SMTPServer({
  name: 'sink.lab.example.test',
  banner: 'MailDoctor lab SMTP sink',
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  size: 50 * 1024 * 1024,
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      count += 1;
      const base = `${Date.now()}-${process.pid}-${String(count).padStart(5, '0')}`;
      const envelope = {
        mail_from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        rcpt_to: session.envelope.rcptTo.map((r) => r.address),
        remote: session.remoteAddress,
        received_at: new Date().toISOString(),
        size: chunks.reduce((n, c) => n + c.length, 0),
      };
      try {
        fs.writeFileSync(path.join(dir, `${base}.json`), `${JSON.stringify(envelope)}\n`);
        fs.writeFileSync(path.join(dir, `.${base}.tmp`), Buffer.concat(chunks));
        fs.renameSync(path.join(dir, `.${base}.tmp`), path.join(dir, `${base}.eml`));
      } catch (err) {
        console.error('sink: cannot store message:', err);
        return callback(new Error('sink cannot store the message'));
      }
      console.log(`${envelope.received_at} stored ${base}.eml from=${envelope.mail_from} to=${envelope.rcpt_to.join(',')} size=${envelope.size}`);
      return callback(null, `Stored as ${base}`);
    });
  },
});
server.on('error', (err) => console.error('sink error:', err.message));
server.listen(port, '127.0.0.1', () => console.log(`smtp sink on 127.0.0.1:${port} writing to ${dir}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
