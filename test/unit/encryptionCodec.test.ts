// The payload encryption codec: round trip, pass-through of payloads it did not encrypt, key ids and
// rotation, tampering, and the environment it is configured from.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Payload } from '@temporalio/common';
import {
  CodecKeyError,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  encryptionCodecFromEnv,
  KEY_ID_METADATA,
  keyId,
} from '../../worker/encryptionCodec';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const payload = (encoding: string, data: string): Payload => ({
  metadata: { encoding: Buffer.from(encoding), extra: Buffer.from('meta') },
  data: Buffer.from(data),
});
const key = randomBytes(32);
const codec = new EncryptionCodec(key);

test('encode hides data and metadata; decode restores both exactly', async () => {
  const original = [payload('json/plain', '{"commandContent":"echo hello"}'), payload('binary/null', '')];
  const encoded = await codec.encode(original);
  for (const p of encoded) {
    assert.equal(text(p.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(p.metadata![KEY_ID_METADATA]), keyId(key));
    assert.deepEqual(Object.keys(p.metadata!).sort(), ['encoding', KEY_ID_METADATA].sort());
    assert.ok(!text(p.data).includes('echo hello'));
  }
  const decoded = await codec.decode(encoded);
  assert.deepEqual(
    decoded.map((p) => [text(p.metadata!.encoding), text(p.metadata!.extra), text(p.data)]),
    original.map((p) => [text(p.metadata!.encoding), 'meta', text(p.data)]),
  );
});

test('the same payload encrypts differently each time (random IV)', async () => {
  const [a] = await codec.encode([payload('json/plain', '"x"')]);
  const [b] = await codec.encode([payload('json/plain', '"x"')]);
  assert.notDeepEqual(a!.data, b!.data);
});

test('payloads it did not encrypt pass through unchanged (CLI input without a codec)', async () => {
  const plain = payload('json/plain', '{"a":1}');
  assert.deepEqual(await codec.decode([plain, {}]), [plain, {}]);
});

test('rotation: previous keys decrypt, the current key encrypts', async () => {
  const [old] = await codec.encode([payload('json/plain', '"old"')]);
  const next = randomBytes(32);
  const rotated = new EncryptionCodec(next, [key]);
  assert.equal(rotated.keyId, keyId(next));
  assert.equal(text((await rotated.decode([old!]))[0]!.data), '"old"');
  const [fresh] = await rotated.encode([payload('json/plain', '"new"')]);
  assert.equal(text(fresh!.metadata![KEY_ID_METADATA]), keyId(next));
});

test('an unknown key id or tampered data fails instead of returning garbage', async () => {
  const [p] = await codec.encode([payload('json/plain', '"x"')]);
  const stranger = new EncryptionCodec(randomBytes(32));
  await assert.rejects(stranger.decode([p!]), /encrypted with key k1-[0-9a-f]{16}, which this process does not have/);
  const tampered = { ...p!, data: Buffer.from(p!.data!) };
  tampered.data[20] = tampered.data[20]! ^ 1;
  await assert.rejects(codec.decode([tampered]), /authenticate/);
});

const envCases: { name: string; env: NodeJS.ProcessEnv; expected: 'none' | 'codec' | RegExp }[] = [
  { name: 'unset: no codec', env: {}, expected: 'none' },
  { name: 'empty: no codec', env: { FLEET_RUN_CODEC_KEY: '' }, expected: 'none' },
  { name: 'base64 32 bytes', env: { FLEET_RUN_CODEC_KEY: key.toString('base64') }, expected: 'codec' },
  { name: 'URL-safe base64', env: { FLEET_RUN_CODEC_KEY: key.toString('base64url') }, expected: 'codec' },
  {
    name: 'with previous keys',
    env: {
      FLEET_RUN_CODEC_KEY: key.toString('base64'),
      FLEET_RUN_CODEC_PREVIOUS_KEYS: ` ${randomBytes(32).toString('base64')} ,`,
    },
    expected: 'codec',
  },
  { name: '16 bytes', env: { FLEET_RUN_CODEC_KEY: randomBytes(16).toString('base64') }, expected: /got 16 bytes/ },
  { name: 'not base64', env: { FLEET_RUN_CODEC_KEY: 'not a key!' }, expected: /FLEET_RUN_CODEC_KEY must be 32/ },
  {
    name: 'a bad previous key',
    env: { FLEET_RUN_CODEC_KEY: key.toString('base64'), FLEET_RUN_CODEC_PREVIOUS_KEYS: 'abc' },
    expected: /FLEET_RUN_CODEC_PREVIOUS_KEYS\[0\]/,
  },
];
for (const c of envCases) {
  test(`encryptionCodecFromEnv: ${c.name}`, () => {
    if (c.expected instanceof RegExp) {
      assert.throws(
        () => encryptionCodecFromEnv(c.env),
        (e: unknown) => e instanceof CodecKeyError && c.expected instanceof RegExp && c.expected.test(e.message),
      );
    } else {
      assert.equal(encryptionCodecFromEnv(c.env) === undefined ? 'none' : 'codec', c.expected);
    }
  });
}
