// An attacker for the connection tests, run as a child process so that its thousands of sockets
// do not share an event loop with the client being measured:
//
//   node lib/slow_clients.mjs PORT TOTAL [RATE]
//
// keeps trying to hold TOTAL connections to 127.0.0.1:PORT open, a third each of:
//  - idle TCP: connects and never sends a byte;
//  - slow TLS: completes the handshake, then sends a request head one byte every 2 seconds;
//  - idle keep-alive TLS: sends one complete request, reads the answer, then stays idle.
// A connection the server closes is opened again, at most RATE new connections per second in
// all (default 200, like slowhttptest's connection rate) after a first burst of up to 1000.
// Prints one JSON line per second:
// {"opened":N,"open":N,"closed":N,"errors":N}. Stops on SIGTERM.

import net from 'node:net';
import tls from 'node:tls';

const [port, total, rate] = [Number(process.argv[2]), Number(process.argv[3]),
  Number(process.argv[4] ?? 200)];
const kinds = ['idle-tcp', 'slow-tls', 'idle-tls'];
const stats = { opened: 0, open: 0, closed: 0, errors: 0 };
const waiting = [];  // kinds to (re)open
let tokens = Math.min(total, 1000);  // connection attempts: a first burst, then RATE per second
let stopping = false;

function closed(kind, socket) {
  if (socket.counted) return;
  socket.counted = true;
  stats.open -= 1;
  stats.closed += 1;
  if (socket.timer) clearInterval(socket.timer);
  if (!stopping) waiting.push(kind);
}

function open(kind) {
  stats.opened += 1;
  stats.open += 1;
  const socket = kind === 'idle-tcp'
    ? net.connect({ host: '127.0.0.1', port })
    : tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  socket.on('error', () => { stats.errors += 1; });
  socket.on('close', () => closed(kind, socket));
  socket.on('data', () => {});
  if (kind === 'slow-tls') {
    socket.once('secureConnect', () => {
      const head = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(1000);
      let at = 0;
      socket.timer = setInterval(() => {
        if (at < head.length) socket.write(head[at++]);
      }, 2000);
    });
  } else if (kind === 'idle-tls') {
    socket.once('secureConnect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
  }
}

for (let i = 0; i < total; ++i) waiting.push(kinds[i % kinds.length]);

const refill = setInterval(() => {
  tokens = Math.min(rate, tokens + rate / 10);
  while (tokens >= 1 && waiting.length > 0 && !stopping) {
    tokens -= 1;
    open(waiting.shift());
  }
}, 100);

const report = setInterval(() => {
  process.stdout.write(`${JSON.stringify(stats)}\n`);
}, 1000);

process.on('SIGTERM', () => {
  stopping = true;
  clearInterval(refill);
  clearInterval(report);
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  process.exit(0);
});
