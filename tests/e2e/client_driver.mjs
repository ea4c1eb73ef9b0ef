// Drives the official Voximplant Node client (@voximplant/apiclient-nodejs, unmodified) in its own
// process, the way a user runs it: pointed at the server with the client's `host` option, and with
// the server's dev certificate trusted through NODE_EXTRA_CA_CERTS (read by Node at start-up, so it
// has to be a separate process).
//
// Usage: node client_driver.mjs <credentials.json> <host:port> [accountId]
// (accountId: the client's own option to act on a child account: it replaces the token's iss.)
// Protocol: one JSON request per stdin line {"id", "ns", "fn", "args"}, e.g.
//   {"id":1,"ns":"Secrets","fn":"addSecret","args":{"applicationId":1,"secretName":"a",...}}
// and one JSON answer per stdout line:
//   {"id":1,"ok":true,"value":<what the client's promise resolved to>}
//   {"id":1,"ok":false,"error":{"message","code","status","data"}}   (the promise rejected)
// The first stdout line is {"ready":true} once the client has read its credentials.
// Date arguments are sent as {"$date": "<ISO time>"}.

import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const VoximplantApiClient = require('@voximplant/apiclient-nodejs').default;

const [credentialsPath, host, accountId] = process.argv.slice(2);
if (!credentialsPath || !host) {
  process.stderr.write('usage: client_driver.mjs <credentials.json> <host:port>\n');
  process.exit(2);
}

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const client = new VoximplantApiClient({ pathToCredentials: credentialsPath, host,
  ...(accountId ? { accountId: Number(accountId) } : {}) });
client.onReady = () => {
  send({ ready: true });
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    if (!line.trim()) return;
    // {"$date": "<ISO time>"} stands for a Date argument (JSON has no dates; the client calls
    // toISOString() on fromDate/toDate).
    const { id, ns, fn, args } = JSON.parse(line, (key, value) =>
      (value && typeof value === 'object' && typeof value.$date === 'string'
        ? new Date(value.$date) : value));
    try {
      const value = await client[ns][fn](args ?? {});
      send({ id, ok: true, value });
    } catch (error) {
      send({ id, ok: false, error: {
        message: String(error?.message ?? error),
        code: error?.code,
        status: error?.response?.status,
        data: error?.response?.data,
      } });
    }
  });
  lines.on('close', () => process.exit(0));
};
