// Port helpers for lab.sh (all on 127.0.0.1):
//   node ports.js free NAME=PORT...                 exit 1 naming every port already taken
//   node ports.js wait SECONDS NAME:PID,... NAME=PORT...  poll until every port accepts; fail early
//                                                   when a server process dies; exit 1 naming the laggards
//   node ports.js refused PORT                      exit 0 when a connection is refused
import net from 'node:net';

const host = '127.0.0.1';

function parsePairs(args) {
  return args.map((a) => {
    const [name, port] = a.split('=');
    return { name, port: Number(port) };
  });
}

function canBind(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err) => resolve(err.code || String(err)));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(null)));
  });
}

function tryConnect(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (result) => { sock.destroy(); resolve(result); };
    sock.setTimeout(timeoutMs, () => done('timeout'));
    sock.once('connect', () => done('open'));
    sock.once('error', (err) => done(err.code || 'error'));
  });
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (err) { return err.code === 'EPERM'; }
}

const [cmd, ...rest] = process.argv.slice(2);

if (cmd === 'free') {
  const taken = [];
  for (const { name, port } of parsePairs(rest)) {
    const err = await canBind(port);
    if (err) taken.push(`${name} port ${port} (${err === 'EADDRINUSE' ? 'already in use' : err})`);
  }
  if (taken.length) {
    console.error(`lab: cannot use ${taken.join(', ')}. Stop whatever holds it, or pick another LAB_PORT_BASE.`);
    process.exit(1);
  }
} else if (cmd === 'wait') {
  const deadline = Date.now() + Number(rest[0]) * 1000;
  const pids = rest[1].split(',').filter(Boolean).map((e) => { const [name, pid] = e.includes(':') ? e.split(':') : ['pid', e]; return { name, pid: Number(pid) }; });
  let pending = parsePairs(rest.slice(2));
  for (;;) {
    const dead = pids.filter((p) => !alive(p.pid));
    if (dead.length) {
      console.error(`lab: ${dead.map((p) => `${p.name} (pid ${p.pid})`).join(', ')} exited during start-up`);
      process.exit(1);
    }
    const results = await Promise.all(pending.map((p) => tryConnect(p.port)));
    pending = pending.filter((_p, i) => results[i] !== 'open');
    if (!pending.length) process.exit(0);
    if (Date.now() > deadline) {
      console.error(`lab: not accepting connections after ${rest[0]} s: ${pending.map((p) => `${p.name} (${p.port})`).join(', ')}`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
} else if (cmd === 'refused') {
  const r = await tryConnect(Number(rest[0]));
  if (r !== 'ECONNREFUSED') {
    console.error(`lab: port ${rest[0]} should refuse connections but got: ${r}`);
    process.exit(1);
  }
} else {
  console.error('usage: ports.js free|wait|refused ...');
  process.exit(2);
}
