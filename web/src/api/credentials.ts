// Reading a credentials.json in the browser: {"account_email","account_id","key_id",
// "private_key"} with a PKCS#8 PEM RSA key (docs/AUTH.md "Credentials").
//
// The private key is imported into WebCrypto as a NON-EXTRACTABLE signing key: after
// importCredentials() returns, no script (ours included) can read the key's bytes back; it can
// only ask the browser to sign with it. The PEM text and the DER bytes are dropped (the DER
// buffer is zeroed) as soon as the import is done. Nothing here is stored or sent anywhere.

export interface KeyIdentity {
  accountId: number;
  keyId: string;
  accountEmail: string;
}

export interface ImportedCredentials {
  identity: KeyIdentity;
  privateKey: CryptoKey;
}

// A file the panel cannot use, with a message for the person (never containing key material).
export class CredentialsError extends Error {}

const MAX_FILE_BYTES = 64 * 1024;
const PEM_RE = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/;

export function parseIdentity(text: string): { identity: KeyIdentity; pem: string } {
  if (text.length > MAX_FILE_BYTES) {
    throw new CredentialsError('This file is too large to be a credentials.json.');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CredentialsError(
      'This file is not valid JSON. Pick the credentials.json of a key (made by the server on ' +
        'its first start, by "voxsecrets key create", or by creating a key on the Keys page).',
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CredentialsError('This file is JSON, but not a credentials.json (not an object).');
  }
  const record = data as Record<string, unknown>;
  const missing = ['account_id', 'key_id', 'private_key'].filter((name) => !(name in record));
  if (missing.length > 0) {
    throw new CredentialsError(
      `This file is JSON, but not a credentials.json: it has no ${missing
        .map((name) => `"${name}"`)
        .join(', ')}.`,
    );
  }
  const rawAccount = record['account_id'];
  const accountId =
    typeof rawAccount === 'number'
      ? rawAccount
      : typeof rawAccount === 'string' && /^\d+$/.test(rawAccount)
        ? Number(rawAccount)
        : NaN;
  if (!Number.isSafeInteger(accountId) || accountId <= 0) {
    throw new CredentialsError('"account_id" in this file is not a positive number.');
  }
  const keyId = record['key_id'];
  if (typeof keyId !== 'string' || keyId.trim() === '' || keyId.length > 200) {
    throw new CredentialsError('"key_id" in this file is not a key id.');
  }
  const pem = record['private_key'];
  if (typeof pem !== 'string') {
    throw new CredentialsError('"private_key" in this file is not a text.');
  }
  if (pem.includes('BEGIN RSA PRIVATE KEY')) {
    throw new CredentialsError(
      '"private_key" is a PKCS#1 key (BEGIN RSA PRIVATE KEY); voxsecrets keys are PKCS#8 ' +
        '(BEGIN PRIVATE KEY). Convert it with: openssl pkcs8 -topk8 -nocrypt.',
    );
  }
  if (!PEM_RE.test(pem)) {
    throw new CredentialsError('"private_key" in this file is not a PEM private key.');
  }
  const email = record['account_email'];
  return {
    identity: { accountId, keyId, accountEmail: typeof email === 'string' ? email : '' },
    pem,
  };
}

function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const match = PEM_RE.exec(pem);
  const base64 = (match?.[1] ?? '').replace(/\s+/g, '');
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    throw new CredentialsError('"private_key" in this file is damaged (not base64).');
  }
  const der = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) der[i] = binary.charCodeAt(i);
  return der;
}

// Parses the file's text and imports its key. Throws CredentialsError with a message for the
// person when the file is not usable.
export async function importCredentials(text: string): Promise<ImportedCredentials> {
  const { identity, pem } = parseIdentity(text);
  const der = pemToDer(pem);
  try {
    const privateKey = await crypto.subtle.importKey(
      'pkcs8',
      der,
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      /* extractable= */ false,
      ['sign'],
    );
    return { identity, privateKey };
  } catch {
    throw new CredentialsError(
      '"private_key" in this file is not an RSA private key this browser can use.',
    );
  } finally {
    der.fill(0);
  }
}
