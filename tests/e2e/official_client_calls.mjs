// Runs a list of calls through the official Voximplant Node client (unmodified) in one process and
// prints their outcomes as one JSON line. Unlike client_driver.mjs it can set the client's
// `accountId` option (act as a child account with the parent's key).
//
// Usage: node official_client_calls.mjs <credentials.json> <host:port> <accountId|-> '<calls>'
//   calls: JSON array of {"ns": "Secrets", "fn": "addSecret", "args": {...}}
// Output: [{"ok":true,"value":...} | {"ok":false,"error":{"message","status","data"}}, ...]
// Trust the server's certificate with NODE_EXTRA_CA_CERTS.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const VoximplantApiClient = require('@voximplant/apiclient-nodejs').default;

const [credentialsPath, host, accountId, callsJson] = process.argv.slice(2);
if (!credentialsPath || !host || !accountId || !callsJson) {
  process.stderr.write('usage: official_client_calls.mjs <credentials> <host:port> <accountId|-> <calls>\n');
  process.exit(2);
}
const parameters = { pathToCredentials: credentialsPath, host };
if (accountId !== '-') parameters.accountId = Number(accountId);

const client = new VoximplantApiClient(parameters);
client.onReady = async () => {
  const results = [];
  for (const { ns, fn, args } of JSON.parse(callsJson)) {
    try {
      results.push({ ok: true, value: await client[ns][fn](args ?? {}) });
    } catch (error) {
      results.push({ ok: false, error: { message: String(error?.message ?? error),
        status: error?.response?.status, data: error?.response?.data } });
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exit(0);
};
