// Request signature verification, byte-for-byte as @alicloud/openapi-core signs (reference §4.2):
// V3 ACS3-HMAC-SHA256 (Authorization header) and legacy V1 HMAC-SHA1 (query `Signature`).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { err } from './errors';

export interface SignedRequest {
  method: string;
  path: string;
  /** Decoded query (and form body, for V1) parameters. */
  params: Map<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a request claims about its signer; `verify(secret)` checks the signature with that secret. */
export interface ParsedAuth {
  algorithm: 'ACS3-HMAC-SHA256' | 'HMAC-SHA1';
  accessKeyId: string;
  securityToken: string | undefined;
  nonce: string;
  /** Signing time, ms since epoch. */
  timestamp: number;
  verify(secret: string): boolean;
}

/** Parameters that belong to the V1 envelope, not to the API call. */
export const V1_COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'Timestamp',
  'SignatureNonce',
  'SignatureMethod',
  'SignatureVersion',
  'Signature',
  'AccessKeyId',
  'SecurityToken',
  'SignatureType',
  'BearerToken',
]);

/** RFC 3986 encoding exactly as the SDK's `encode()` (encodeURIComponent + escape !'()*). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseTime(s: string | undefined, what: string): number {
  if (!s || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s)) {
    throw err(400, 'InvalidTimeStamp.Format', `Specified time stamp or date value is not well formatted (${what}).`);
  }
  return Date.parse(s);
}

function parseV3(req: SignedRequest, authorization: string): ParsedAuth {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!m) {
    throw err(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  }
  const [, accessKeyId = '', signedHeaderList = '', signature = ''] = m;
  const signedHeaders = signedHeaderList.split(';');
  const hashedPayload = sha256hex(req.body);
  const claimed = header(req.headers, 'x-acs-content-sha256');
  if (claimed !== undefined && claimed !== hashedPayload) {
    throw err(400, 'SignatureDoesNotMatch', 'x-acs-content-sha256 does not match the SHA-256 of the request body.');
  }
  for (const required of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce']) {
    if (!signedHeaders.includes(required)) {
      throw err(400, 'IncompleteSignature', `The request signature does not sign the required header ${required}.`);
    }
  }
  const canonicalQuery = [...req.params.keys()]
    .sort()
    .map((k) => `${k}=${rfc3986(req.params.get(k) ?? '')}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(header(req.headers, h) ?? '').trim()}\n`).join('');
  const canonicalRequest = [
    req.method,
    req.path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    claimed ?? hashedPayload,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256hex(canonicalRequest)}`;
  const token = header(req.headers, 'x-acs-security-token');
  const tokenKey = header(req.headers, 'x-acs-accesskey-id');
  if (token !== undefined && tokenKey !== undefined && tokenKey !== accessKeyId) {
    throw err(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'The security token does not match the access key.');
  }
  return {
    algorithm: 'ACS3-HMAC-SHA256',
    accessKeyId,
    securityToken: token,
    nonce: header(req.headers, 'x-acs-signature-nonce') ?? '',
    timestamp: parseTime(header(req.headers, 'x-acs-date'), 'x-acs-date'),
    verify: (secret) => safeEqual(createHmac('sha256', secret).update(stringToSign).digest('hex'), signature),
  };
}

function parseV1(req: SignedRequest): ParsedAuth {
  const p = req.params;
  const signature = p.get('Signature') ?? '';
  if ((p.get('SignatureMethod') ?? 'HMAC-SHA1') !== 'HMAC-SHA1') {
    throw err(400, 'InvalidParameter.SignatureMethod', 'Only HMAC-SHA1 is supported for V1 signatures.');
  }
  const accessKeyId = p.get('AccessKeyId');
  if (!accessKeyId) throw err(400, 'MissingAccessKeyId', 'AccessKeyId is mandatory for this action.');
  const canonical = [...p.keys()]
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(p.get(k) ?? '')}`)
    .join('&');
  const stringToSign = `${req.method}&${rfc3986('/')}&${rfc3986(canonical)}`;
  return {
    algorithm: 'HMAC-SHA1',
    accessKeyId,
    securityToken: p.get('SecurityToken'),
    nonce: p.get('SignatureNonce') ?? '',
    timestamp: parseTime(p.get('Timestamp'), 'Timestamp'),
    verify: (secret) => safeEqual(createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64'), signature),
  };
}

/** Reads the signature envelope of a request (V3 header or V1 query). Does not check the secret yet. */
export function parseAuth(req: SignedRequest): ParsedAuth {
  const authorization = header(req.headers, 'authorization');
  if (authorization) return parseV3(req, authorization);
  if (req.params.has('Signature')) return parseV1(req);
  throw err(
    400,
    'IncompleteSignature',
    'The request is not signed (no Authorization header and no Signature parameter).',
  );
}
