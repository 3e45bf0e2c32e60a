// Optional payload encryption: an AES-256-GCM PayloadCodec used by the worker, the CLI and the codec server
// when FLEET_RUN_CODEC_KEY is set, so workflow inputs, results and failure details are stored encrypted in
// Temporal. Payloads it did not encrypt (e.g. `temporal workflow start --input-file` without a codec
// endpoint) pass through unchanged, so plain and encrypted runs can live side by side.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';

/** Metadata `encoding` of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key a payload was encrypted with (a fingerprint, never the key). */
export const KEY_ID_METADATA = 'encryption-key-id';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class CodecKeyError extends Error {
  override name = 'CodecKeyError';
}

/** `k1-` + the first 16 hex digits of SHA-256(key): names the key without revealing it. */
export function keyId(key: Buffer): string {
  return `k1-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** A 32-byte key from base64 (standard or URL-safe); `what` names the source in errors. */
export function parseKey(text: string, what: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) || key.length !== KEY_BYTES) {
    throw new CodecKeyError(
      `${what} must be ${KEY_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`,
    );
  }
  return key;
}

// The encrypted plaintext is the whole original payload (metadata included), serialized as JSON with
// base64 values, so the encoding of the original payload is not visible either.
interface SealedPayload {
  m: Record<string, string>;
  d: string;
}

function seal(payload: Payload): Buffer {
  const m: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload.metadata ?? {})) m[k] = Buffer.from(v).toString('base64');
  const sealed: SealedPayload = { m, d: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
  return Buffer.from(JSON.stringify(sealed), 'utf8');
}

function unseal(bytes: Buffer): Payload {
  const sealed = JSON.parse(bytes.toString('utf8')) as SealedPayload;
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(sealed.m)) metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  return { metadata, data: new Uint8Array(Buffer.from(sealed.d, 'base64')) };
}

export class EncryptionCodec implements PayloadCodec {
  private readonly keys = new Map<string, Buffer>();
  /** Id of the key new payloads are encrypted with. */
  readonly keyId: string;

  /** `key` encrypts and decrypts; `previousKeys` only decrypt (for payloads written before a key rotation). */
  constructor(key: Buffer, previousKeys: Buffer[] = []) {
    for (const k of [key, ...previousKeys]) {
      if (k.length !== KEY_BYTES) throw new CodecKeyError(`an AES-256 key is ${KEY_BYTES} bytes, got ${k.length}`);
      this.keys.set(keyId(k), k);
    }
    this.keyId = keyId(key);
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.keyId)!;
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        const body = Buffer.concat([cipher.update(seal(payload)), cipher.final()]);
        return {
          metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(this.keyId) },
          data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // A throw in the executor rejects the promise (never a synchronous throw to the caller).
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decodeOne(payload))));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload; // not ours: as is
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? fromUtf8.decode(idBytes) : '';
    const key = this.keys.get(id);
    if (!key) {
      throw new CodecKeyError(
        `payload encrypted with key ${id || '(no key id)'}, which this process does not have (known: ${[...this.keys.keys()].join(', ')}; set FLEET_RUN_CODEC_KEY or FLEET_RUN_CODEC_PREVIOUS_KEYS)`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError('encrypted payload is too short');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return unseal(plain);
  }
}

/**
 * The codec configured by FLEET_RUN_CODEC_KEY (base64, 32 bytes) and optionally FLEET_RUN_CODEC_PREVIOUS_KEYS
 * (comma-separated, decrypt only); undefined when FLEET_RUN_CODEC_KEY is unset or empty.
 */
export function encryptionCodecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  const key = env.FLEET_RUN_CODEC_KEY;
  if (!key) return undefined;
  const previous = (env.FLEET_RUN_CODEC_PREVIOUS_KEYS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s, i) => parseKey(s, `FLEET_RUN_CODEC_PREVIOUS_KEYS[${i}]`));
  return new EncryptionCodec(parseKey(key, 'FLEET_RUN_CODEC_KEY'), previous);
}

/**
 * Failure messages and stack traces are plain text in history unless the failure converter moves them into
 * a payload, which the codec then encrypts. The workflow bundle must be built with the same path.
 */
export const ENCRYPTED_FAILURE_CONVERTER_PATH = require.resolve('./encryptedFailureConverter');

/** The data converter for workers and clients: encryption plus encoded failure attributes, or the default. */
export function dataConverterFor(codec: PayloadCodec | undefined): DataConverter | undefined {
  return codec ? { payloadCodecs: [codec], failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH } : undefined;
}
