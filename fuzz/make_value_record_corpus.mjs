// Writes the seed corpus of value_record_fuzz.cc into value_record_corpus/ (run with Node >= 20:
// `node fuzz/make_value_record_corpus.mjs`). The records are sealed here with Node's own
// AES-256-GCM following docs/RECORD_FORMAT.md, so that the "valid" seeds opening in the harness
// also shows that the format page is enough to write a compatible implementation.
// Keys and contexts are the harness's fixed ones; nothing here is secret.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'value_record_corpus');
fs.mkdirSync(out, { recursive: true });

const dek = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const kek = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
// Deterministic nonces so that regenerating gives the same files.
const nonce = (n) => Buffer.from(Array.from({ length: 12 }, (_, i) => (n * 31 + i) & 0xff));

function gcm(key, iv, aad, plaintext) {
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]);
}

// Format 1 (before secret versions: version 1 of its secret only) and format 2 (the secret's
// version in the AAD; the harness opens every record as version 1 of secret 3).
function valueRecord(plaintext, version, n) {
  const header = Buffer.alloc(5);
  header[0] = 1;
  header.writeUInt32BE(version, 1);
  return Buffer.concat([header, gcm(dek, nonce(n), `voxsecrets value v1|1|2|3|${version}`,
    Buffer.from(plaintext, 'utf8'))]);
}

function valueRecordV2(plaintext, version, n, secretVersion = 1) {
  const header = Buffer.alloc(5);
  header[0] = 2;
  header.writeUInt32BE(version, 1);
  return Buffer.concat([header, gcm(dek, nonce(n),
    `voxsecrets value v2|1|2|3|${secretVersion}|${version}`, Buffer.from(plaintext, 'utf8'))]);
}

const write = (name, bytes) => fs.writeFileSync(path.join(out, name), bytes);
// mode 0: [0][account=1][application=2][secret=3][row key_version][blob]
const mode0 = (version, blob) => Buffer.concat([Buffer.from([0, 1, 2, 3, version]), blob]);
write('value_valid_ascii', mode0(1, valueRecord('s3cr3t', 1, 1)));
write('value_valid_unicode', mode0(1, valueRecord('ключ-金-🐤', 1, 2)));
write('value_valid_empty', mode0(2, valueRecord('', 2, 3)));
write('value_valid_long', mode0(1, valueRecord('x'.repeat(4096), 1, 4)));
write('value_wrong_row_version', mode0(2, valueRecord('s3cr3t', 1, 5)));
write('value_truncated', mode0(1, valueRecord('s3cr3t', 1, 6).subarray(0, 20)));
write('value_unknown_format', mode0(1, Buffer.concat([Buffer.from([3]),
  valueRecord('s3cr3t', 1, 7).subarray(1)])));
write('value_v2_valid_ascii', mode0(1, valueRecordV2('s3cr3t', 1, 10)));
write('value_v2_valid_unicode', mode0(2, valueRecordV2('ключ-金-🐤', 2, 11)));
write('value_v2_other_secret_version', mode0(1, valueRecordV2('s3cr3t', 1, 12, 2)));
write('value_v2_relabelled_v1', mode0(1, Buffer.concat([Buffer.from([1]),
  valueRecordV2('s3cr3t', 1, 13).subarray(1)])));
write('value_empty_blob', Buffer.from([0, 1, 2, 3, 0]));

// mode 1: [1][application=2][version=1][master key version][wrapped key]
const keyId = Buffer.alloc(16, 0xaa);
const wrapped = Buffer.concat([Buffer.from([1]), keyId, gcm(kek, nonce(9),
  `voxsecrets dek v1|app=2|ver=1|kek=1|id=${keyId.toString('hex')}`, dek)]);
write('wrapped_valid', Buffer.concat([Buffer.from([1, 2, 1, 1]), wrapped]));
write('wrapped_other_master_version', Buffer.concat([Buffer.from([1, 2, 1, 2]), wrapped]));
write('wrapped_moved_application', Buffer.concat([Buffer.from([1, 3, 1, 1]), wrapped]));
write('wrapped_truncated', Buffer.concat([Buffer.from([1, 2, 1, 1]), wrapped.subarray(0, 40)]));

// mode 2: master key text
write('master_hex', Buffer.from(`\x02${'ab'.repeat(32)}\n`));
write('master_base64', Buffer.from(`\x02  ${crypto.createHash('sha256').update('x').digest('base64')}\n`));
write('master_base64_unpadded', Buffer.from(`\x02${kek.toString('base64').replace(/=+$/, '')}`));
write('master_short_hex', Buffer.from(`\x02${'ab'.repeat(31)}`));
write('master_garbage', Buffer.from('\x02not a key at all \u00ff'));

// mode 3: round trip with a bit flip
write('roundtrip_ascii', Buffer.concat([Buffer.from([3, 0, 40]), Buffer.from('hello world')]));
write('roundtrip_unicode', Buffer.concat([Buffer.from([3, 1, 7]), Buffer.from('ключ-金-🐤')]));
write('roundtrip_empty', Buffer.from([3, 0, 0]));
