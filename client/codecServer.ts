// `npm run codec-server`: the Temporal codec-server HTTP protocol (POST …/encode and …/decode with Payloads
// as protobuf JSON, CORS for the Web UI) over the payload encryption of worker/encryptionCodec.ts, so that
// `temporal workflow show --codec-endpoint http://127.0.0.1:8888` and the UI show plaintext. It decrypts for
// anyone who can reach it: it listens on 127.0.0.1 by default, and FLEET_RUN_CODEC_AUTH_TOKEN makes it
// require `Authorization: Bearer <token>` (the CLI's --codec-auth, the UI's "pass access token").
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Command } from 'commander';
import { CodecKeyError, encryptionCodecFromEnv } from '../worker/encryptionCodec';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** 0 = a free port. Default 8888. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Origins allowed by CORS (the Web UI's), e.g. http://localhost:8233; '*' allows any. */
  corsOrigins?: string[];
  /** When set, every /encode and /decode request needs `Authorization: Bearer <authToken>`. */
  authToken?: string;
  /** Called once per request (for logs): method, path, status. Never given payloads. */
  onRequest?: (line: { method: string; path: string; status: number; namespace: string | null }) => void;
}

export interface CodecServer {
  /** http://host:port, the value for --codec-endpoint and the UI's codec endpoint. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Payloads as protobuf JSON: bytes fields are base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY = 64 * 1024 * 1024;
const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function fromJson(p: JsonPayload): Payload {
  if (typeof p !== 'object' || p === null) throw new HttpError(400, 'each payload must be an object');
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new HttpError(400, `metadata ${k} must be base64`);
    metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  }
  if (p.data !== undefined && typeof p.data !== 'string') throw new HttpError(400, 'data must be base64');
  return { metadata, data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')) };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new HttpError(413, 'request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const origins = opts.corsOrigins ?? DEFAULT_UI_ORIGINS;

  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (!origin || !(origins.includes('*') || origins.includes(origin))) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Max-Age', '600');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    cors(req, res);
    const path = new URL(req.url ?? '/', 'http://codec').pathname;
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return 204;
    }
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return 200;
    }
    // The protocol looks only at the last path segment: /encode, /default/decode, /codec/ns/decode …
    const op = path.replace(/\/+$/, '').split('/').pop();
    if (op !== 'encode' && op !== 'decode') throw new HttpError(404, `no endpoint ${path}: POST …/encode or …/decode`);
    if (req.method !== 'POST') throw new HttpError(405, `${op} takes POST`);
    if (opts.authToken !== undefined && !tokenMatches(req.headers.authorization, opts.authToken)) {
      throw new HttpError(401, 'missing or wrong Authorization: Bearer token');
    }
    let body: { payloads?: JsonPayload[] };
    try {
      body = JSON.parse(await readBody(req)) as { payloads?: JsonPayload[] };
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, 'body must be Payloads as JSON: {"payloads": [{"metadata": {…}, "data": "…"}]}');
    }
    if (typeof body !== 'object' || body === null || (body.payloads !== undefined && !Array.isArray(body.payloads))) {
      throw new HttpError(400, 'body must be Payloads as JSON: {"payloads": [...]}');
    }
    const payloads = (body.payloads ?? []).map(fromJson);
    let out: Payload[];
    try {
      out = op === 'encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
    } catch (e) {
      throw new HttpError(400, `${op} failed: ${(e as Error).message}`);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: out.map(toJson) }));
    return 200;
  };

  const server = createServer((req, res) => {
    const namespace = typeof req.headers['x-namespace'] === 'string' ? req.headers['x-namespace'] : null;
    const path = new URL(req.url ?? '/', 'http://codec').pathname;
    handle(req, res)
      .catch((e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500;
        if (!res.headersSent) {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: e instanceof HttpError ? e.message : 'internal error' }));
        }
        return status;
      })
      .then((status) => opts.onRequest?.({ method: req.method ?? '', path, status, namespace }))
      .catch(() => undefined);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8888, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const program = new Command()
    .name('codec-server')
    .description(
      'Decrypts and encrypts fleet-run payloads for the Temporal CLI (--codec-endpoint) and Web UI; key from FLEET_RUN_CODEC_KEY',
    )
    .option(
      '--port <n>',
      'port (0 = a free port; env FLEET_RUN_CODEC_PORT)',
      process.env.FLEET_RUN_CODEC_PORT ?? '8888',
    )
    .option('--host <h>', 'interface to listen on', process.env.FLEET_RUN_CODEC_HOST ?? '127.0.0.1')
    .option(
      '--cors-origin <origins>',
      "comma-separated Web UI origins allowed by CORS, or '*' (env FLEET_RUN_CODEC_CORS_ORIGINS)",
      process.env.FLEET_RUN_CODEC_CORS_ORIGINS ?? DEFAULT_UI_ORIGINS.join(','),
    )
    .parse();
  const o = program.opts<{ port: string; host: string; corsOrigin: string }>();
  const codec = encryptionCodecFromEnv();
  if (!codec) {
    console.error('codec-server: FLEET_RUN_CODEC_KEY is not set (the same base64 32-byte key as the worker)');
    process.exit(2);
  }
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`codec-server: --port must be 0..65535, got "${o.port}"`);
    process.exit(2);
  }
  const authToken = process.env.FLEET_RUN_CODEC_AUTH_TOKEN || undefined;
  const server = await startCodecServer({
    codec,
    port,
    host: o.host,
    corsOrigins: o.corsOrigin
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    authToken,
    onRequest: (r) =>
      console.log(
        `${new Date().toISOString()} ${r.method} ${r.path} ${r.status}${r.namespace ? ` ns=${r.namespace}` : ''}`,
      ),
  });
  console.log(
    `codec server listening on ${server.url} (key ${codec.keyId}${authToken ? ', bearer token required' : ''}); use --codec-endpoint ${server.url}`,
  );
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void server.close().then(() => process.exit(0));
    });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`codec-server: ${(err as Error).message}`);
    process.exit(err instanceof CodecKeyError ? 2 : 1);
  });
}
