// An HTTP proxy in front of the emulator that can swallow one answer: the call reaches the cloud and takes
// effect, but the worker never hears back. Killing the worker then is the hardest case for exactly-once
// dispatch (a RunCommand that ran, whose invoke id nobody recorded).
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldCall {
  action: string;
  /** ClientToken of the call, if it had one. */
  clientToken: string | null;
  /** What the cloud answered (never delivered). */
  status: number;
  body: string;
}

export interface HoldingProxy {
  /** http://127.0.0.1:PORT: give this to the worker as ALICLOUD_ENDPOINT. */
  url: string;
  /**
   * The next answer to `action` is kept from the caller; resolves with it once the cloud has answered,
   * or with undefined after `cancel()` (nothing is held then).
   */
  holdNext(action: string): { held: Promise<HeldCall | undefined>; cancel(): void };
  /** Every call held so far. */
  held(): HeldCall[];
  close(): Promise<void>;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const to = new URL(target);
  const held: HeldCall[] = [];
  let armed: { action: string; resolve: (h: HeldCall | undefined) => void } | undefined;

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const action = String(
        req.headers['x-acs-action'] ?? new URL(req.url ?? '/', 'http://x').searchParams.get('Action'),
      );
      const upstream = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
        (resolve, reject) => {
          const r = request(
            { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
            (up) => {
              void readAll(up).then((b) => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: b }));
            },
          );
          r.on('error', reject);
          r.end(body);
        },
      );
      if (armed && armed.action === action) {
        const params = new URLSearchParams(new URL(req.url ?? '/', 'http://x').search);
        const form = new URLSearchParams(body.toString('utf8'));
        const call: HeldCall = {
          action,
          clientToken: params.get('ClientToken') ?? form.get('ClientToken'),
          status: upstream.status,
          body: upstream.body.toString('utf8'),
        };
        held.push(call);
        const { resolve } = armed;
        armed = undefined;
        resolve(call);
        return; // never answered: the caller waits until it times out or dies
      }
      res.writeHead(upstream.status, upstream.headers);
      res.end(upstream.body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    holdNext: (action) => {
      let cancel = () => undefined as void;
      const promise = new Promise<HeldCall | undefined>((resolve) => {
        armed = { action, resolve };
        cancel = () => {
          if (armed?.resolve === resolve) armed = undefined;
          resolve(undefined);
        };
      });
      return { held: promise, cancel };
    },
    held: () => [...held],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
