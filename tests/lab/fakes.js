// Misbehaving servers for the TLS and protocol diagnostics, all on 127.0.0.1. One process:
//  - TLS with an expired, a hostname-mismatch, an untrusted (self-signed) and a not-yet-valid
//    certificate; after the handshake each one relays to Dovecot's plain IMAP port, so a client
//    that turns verification off still gets a working IMAP server.
//  - a silent port: accepts TCP and never says a word.
//  - a plaintext IMAP server that offers no STARTTLS.
// Usage: node fakes.js CONFIG.json   ({ tlsDir, imapPlainPort, ports: {expired, mismatch, ...} })
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const host = '127.0.0.1';
const sockets = new Set();

function track(sock) {
  sockets.add(sock);
  sock.on('close', () => sockets.delete(sock));
  sock.on('error', () => {});
  sock.setTimeout(10 * 60 * 1000, () => sock.destroy());
}

function listen(server, port, what) {
  server.on('error', (err) => {
    console.error(`fakes: ${what} on ${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => console.log(`fakes: ${what} on ${host}:${port}`));
}

for (const name of ['expired', 'mismatch', 'untrusted', 'notyetvalid']) {
  const server = tls.createServer({
    key: fs.readFileSync(path.join(config.tlsDir, `${name}.key`)),
    cert: fs.readFileSync(path.join(config.tlsDir, `${name}.pem`)),
    minVersion: 'TLSv1.2',
  }, (clientSock) => {
    track(clientSock);
    const upstream = net.connect(config.imapPlainPort, host);
    track(upstream);
    clientSock.pipe(upstream).pipe(clientSock);
    clientSock.on('close', () => upstream.destroy());
    upstream.on('close', () => clientSock.destroy());
  });
  server.on('tlsClientError', () => {}); // a client that refuses the certificate is the point
  listen(server, config.ports[name], `TLS with ${name} certificate`);
}

listen(net.createServer((sock) => track(sock)), config.ports.silent, 'silent TCP');

listen(net.createServer((sock) => {
  track(sock);
  const caps = 'IMAP4rev1 AUTH=PLAIN AUTH=LOGIN';
  sock.write(`* OK [CAPABILITY ${caps}] MailDoctor lab IMAP without STARTTLS\r\n`);
  let buf = '';
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      const [tag = '*', cmd = ''] = line.split(' ');
      const c = cmd.toUpperCase();
      if (c === 'CAPABILITY') sock.write(`* CAPABILITY ${caps}\r\n${tag} OK Capability completed.\r\n`);
      else if (c === 'NOOP') sock.write(`${tag} OK NOOP completed.\r\n`);
      else if (c === 'LOGOUT') { sock.write(`* BYE Logging out\r\n${tag} OK Logout completed.\r\n`); sock.end(); }
      else if (c === 'STARTTLS') sock.write(`${tag} BAD STARTTLS is not supported here.\r\n`);
      else sock.write(`${tag} NO This lab server only exists to lack STARTTLS.\r\n`);
    }
  });
}), config.ports.nostarttls, 'plain IMAP without STARTTLS');

function shutdown() {
  for (const s of sockets) s.destroy();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
