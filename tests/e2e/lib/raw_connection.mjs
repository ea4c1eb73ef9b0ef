// One keep-alive TLS connection driven by hand, for tests that must control exactly when each byte
// of a request is sent (e.g. a request whose body is still arriving when the server is told to
// stop). Minimal HTTP/1.1 response reader: Content-Length and chunked bodies.
//
//   const conn = await RawConnection.open(server);
//   conn.send('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
//   const res = await conn.readResponse();   // {status, headers, body: Buffer, text, json}
//   conn.close();

import tls from 'node:tls';

export class RawConnection {
  static open(server) {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: server.ca });
      socket.once('secureConnect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.ended = false;
    this.error = null;
    this.waiter = null;
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('end', () => { this.ended = true; this.wake(); });
    socket.on('close', () => { this.ended = true; this.wake(); });
    socket.on('error', (error) => { this.error = error; this.wake(); });
  }

  wake() {
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter();
  }

  send(data) {
    this.socket.write(data);
  }

  // Waits until `predicate(buffer)` returns a value other than undefined, or the connection ends.
  async waitFor(predicate, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate(this.buffer);
      if (value !== undefined) return value;
      if (this.error) throw this.error;
      if (this.ended) throw new Error('connection closed before a complete response');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a response');
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  async readResponse(timeoutMs = 15000) {
    const headerEnd = await this.waitFor((buf) => {
      const at = buf.indexOf('\r\n\r\n');
      return at < 0 ? undefined : at;
    }, timeoutMs);
    const head = this.buffer.subarray(0, headerEnd).toString('latin1').split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const headers = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = headerEnd + 4;
    let body;
    let consumed;
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      [body, consumed] = await this.waitFor((buf) => decodeChunked(buf, start), timeoutMs);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      await this.waitFor((buf) => (buf.length >= start + length ? true : undefined), timeoutMs);
      body = Buffer.from(this.buffer.subarray(start, start + length));
      consumed = start + length;
    }
    this.buffer = this.buffer.subarray(consumed);
    const text = body.toString('utf8');
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status, headers, body, text, json };
  }

  close() {
    this.socket.destroy();
  }
}

// Returns [body, endOffset] once the chunked body starting at `start` is complete, else undefined.
function decodeChunked(buf, start) {
  const parts = [];
  let at = start;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size');
    if (size === 0) {
      const end = buf.indexOf('\r\n\r\n', lineEnd); // no trailers: right at lineEnd
      if (end < 0) return undefined;
      return [Buffer.concat(parts), end + 4];
    }
    if (buf.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
