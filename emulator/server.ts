// The emulator's HTTP server: cloud API pipeline (route → authenticate → faults → handler → audit)
// plus admin endpoints under /_emulator/. Importable in-process by tests; emulator/main.ts is the CLI.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Audit, type AuditLog, type CallRecord } from './audit';
import { authenticate, NonceCache } from './auth';
import type { EmulatorState } from './context';
import { Engine, type InstancePatch } from './engine';
import { ApiError, err, errorBody } from './errors';
import { FaultState } from './faults';
import type { Identity } from './model';
import { Params } from './params';
import { pick, createRng } from './prng';
import { route, type Product } from './router';
import { rateFor, validateFaults, type Faults, type Scenario } from './scenario';
import { parseAuth } from './signature';
import { World } from './world';

export type { AuditLog, CallRecord } from './audit';
export type { ExecutionRecord } from './model';
export type { Faults, Scenario } from './scenario';
export type { InstancePatch } from './engine';

export interface EmulatorOptions {
  scenario: Scenario;
  /** 0 (default) = a random free port. */
  port?: number;
  host?: string;
  /** Print one line per API call. */
  log?: boolean;
  /** PRNG seed; default EMULATOR_SEED, then scenario.seed, then 1. */
  seed?: number;
}

export interface EmulatorHandle {
  /** http://127.0.0.1:PORT */
  url: string;
  /** '127.0.0.1:PORT', for the SDK's Config.endpoint (with protocol 'http'). */
  endpoint: string;
  port: number;
  audit(): AuditLog;
  resetAudit(): void;
  /** Merges into the current faults; a key set to null/undefined is removed. */
  setFaults(f: Partial<Faults>): void;
  /**
   * Changes an instance at runtime: stop it, release it, take its agent offline or make it flap. Stopping or
   * releasing ends the commands running on it (Error + InstanceNotRunning / InstanceReleased).
   */
  setInstance(accountId: string, regionId: string, instanceId: string, patch: InstancePatch): void;
  /** Test-only: every STS credential AssumeRole issued so far, oldest first (to prove none leaks). */
  issuedCredentials(): IssuedCredential[];
  close(): Promise<void>;
}

export interface IssuedCredential {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** ms epoch */
  expiresAt: number;
  /** The assumed role's session ARN, acs:ram::<account>:assumed-role/<role>/<session>. */
  arn: string;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(err(413, 'RequestEntityTooLarge', 'The request body is too large.'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function auditParams(p: Params, response: Record<string, unknown> | undefined): CallRecord['params'] {
  const out: NonNullable<CallRecord['params']> = {};
  const invokeId = p.str('InvokeId') ?? (typeof response?.InvokeId === 'string' ? response.InvokeId : undefined);
  if (invokeId) out.InvokeId = invokeId;
  const token = p.str('ClientToken');
  if (token) out.ClientToken = token;
  let count = p.list('InstanceId').length;
  const json = p.str('InstanceIds');
  if (json) {
    try {
      const arr: unknown = JSON.parse(json);
      if (Array.isArray(arr)) count = arr.length;
    } catch {
      // malformed: the handler reports it
    }
  }
  if (count > 0) out.InstanceIds = count;
  return Object.keys(out).length > 0 ? out : undefined;
}

export async function startEmulator(opts: EmulatorOptions): Promise<EmulatorHandle> {
  const envSeed = process.env.EMULATOR_SEED === undefined ? undefined : Number(process.env.EMULATOR_SEED);
  const seed = opts.seed ?? (Number.isFinite(envSeed) ? envSeed : undefined) ?? opts.scenario.seed ?? 1;
  const rng = createRng(seed);
  const audit = new Audit();
  const faults = new FaultState(opts.scenario.faults);
  const world = new World(opts.scenario);
  const engine = new Engine(opts.scenario.execution, rng, audit, faults);
  const state: EmulatorState = { world, faults, rng, audit, engine };
  const nonces = new NonceCache();

  const startedAt = Date.now();
  const cpuAtStart = process.cpuUsage();
  /** Process-level figures for benchmarks (the emulator process as a whole). */
  const stats = (): Record<string, number> => {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage(cpuAtStart);
    let invocations = 0;
    for (const a of world.accounts.values()) for (const r of a.regions.values()) invocations += r.invocations.length;
    return {
      uptimeMs: Date.now() - startedAt,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      cpuUserMs: Math.round(cpu.user / 1000),
      cpuSystemMs: Math.round(cpu.system / 1000),
      instances: world.counts().instances,
      invocations,
      runningExecutions: engine.runningCount(),
    };
  };

  const setInstance = (accountId: string, regionId: string, instanceId: string, patch: InstancePatch): void => {
    const region = world.accounts.get(accountId)?.regions.get(regionId);
    const inst = region?.instancesById.get(instanceId);
    if (!region || !inst) throw new Error(`no instance ${instanceId} in ${accountId}/${regionId}`);
    if (patch.released !== undefined && patch.released !== true) throw new Error('released can only be true');
    engine.patchInstance(region, inst, patch);
  };

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = req.method === 'POST' ? (await readBody(req)).toString('utf8') : '';
    const json = (): unknown => (body.trim() === '' ? {} : JSON.parse(body));
    try {
      if (req.method === 'GET' && path === '/_emulator/health') return sendJson(res, 200, { ok: true });
      if (req.method === 'GET' && path === '/_emulator/audit') return sendJson(res, 200, audit.snapshot());
      if (req.method === 'POST' && path === '/_emulator/audit/reset') {
        audit.reset();
        return sendJson(res, 200, { ok: true });
      }
      if (req.method === 'GET' && path === '/_emulator/faults') return sendJson(res, 200, faults.get());
      if (req.method === 'GET' && path === '/_emulator/stats') return sendJson(res, 200, stats());
      if (req.method === 'POST' && path === '/_emulator/faults') {
        const patch = json() as Record<string, unknown>;
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) validateFaults(patch); // refuses it
        const present = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null));
        validateFaults(present);
        faults.merge(patch);
        return sendJson(res, 200, faults.get());
      }
      if (req.method === 'POST' && path === '/_emulator/instance') {
        const b = json() as { accountId: string; regionId: string; instanceId: string } & InstancePatch;
        setInstance(b.accountId, b.regionId, b.instanceId, {
          ...(b.status !== undefined ? { status: b.status } : {}),
          ...(b.agent !== undefined ? { agent: b.agent } : {}),
          ...(b.released !== undefined ? { released: b.released } : {}),
        });
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, { error: `no admin endpoint ${req.method ?? ''} ${path}` });
    } catch (e) {
      return sendJson(res, 400, { error: (e as Error).message });
    }
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req);
    const map = new Map(url.searchParams);
    if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) map.set(k, v);
    }
    const params = new Params(map);
    const hAction = req.headers['x-acs-action'];
    const hVersion = req.headers['x-acs-version'];
    const action = (typeof hAction === 'string' ? hAction : undefined) ?? map.get('Action');
    const version = (typeof hVersion === 'string' ? hVersion : undefined) ?? map.get('Version');
    const requestId = randomUUID().toUpperCase();
    const f = faults.get();
    if (f.latencyMs) await sleep(pick(rng, f.latencyMs, 0));

    let product: Product | undefined;
    let identity: Identity | undefined;
    let status = 200;
    let body: Record<string, unknown>;
    let response: Record<string, unknown> | undefined;
    try {
      const routed = route(action, version);
      product = routed.product;
      const now = Date.now();
      identity = authenticate(
        world,
        parseAuth({ method: req.method ?? 'POST', path: url.pathname, params: map, headers: req.headers, body: raw }),
        nonces,
        now,
      );
      if (faults.throttled(action ?? '', identity.accountId, now)) {
        throw err(400, 'Throttling.User', 'Request was denied due to user flow control.');
      }
      const errorRate = rateFor(f.errorRate, action ?? '');
      if (errorRate > 0 && rng.next() < errorRate) {
        throw rng.next() < 0.5
          ? err(
              500,
              'InternalError',
              'The request processing has failed due to some unknown error, exception or failure.',
            )
          : err(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
      response = routed.handler(state, { action: action ?? '', params, identity, requestId, now });
      body = response;
    } catch (e) {
      const apiErr =
        e instanceof ApiError
          ? e
          : err(
              500,
              'InternalError',
              `The request processing has failed due to some unknown error: ${(e as Error).message}`,
            );
      if (!(e instanceof ApiError)) console.error('emulator: internal error', e);
      status = apiErr.status;
      body = errorBody(apiErr, requestId, product?.host ?? 'aliyuncs.com', product?.name ?? 'Unknown');
    }
    const resetRate = rateFor(f.resetRate, action ?? '');
    const reset = resetRate > 0 && rng.next() < resetRate;
    audit.call({
      time: Date.now(),
      action: action ?? '',
      accountId: identity?.accountId ?? null,
      regionId: params.str('RegionId') ?? null,
      caller: identity?.arn ?? null,
      httpStatus: reset ? 0 : status,
      errorCode: reset ? 'ConnectionReset' : status === 200 ? null : String(body.Code),
      ...(() => {
        const p = auditParams(params, response);
        return p ? { params: p } : {};
      })(),
    });
    if (opts.log) {
      console.log(
        `${new Date().toISOString()} ${action ?? '-'} ${reset ? 'RESET' : status} ${status === 200 ? '' : String(body.Code)} ${identity?.arn ?? '-'}`,
      );
    }
    if (reset) {
      req.socket.destroy();
      return;
    }
    sendJson(res, status, body);
  }

  // All API parameters travel in the query string (24 KB commands, 100 instance ids): allow long URLs.
  const server = createServer({ maxHeaderSize: MAX_BODY }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const work = url.pathname.startsWith('/_emulator/') ? admin(req, res, url.pathname) : api(req, res, url);
    work.catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
    });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const endpoint = `${publicHost}:${port}`;

  return {
    url: `http://${endpoint}`,
    endpoint,
    port,
    audit: () => audit.snapshot(),
    resetAudit: () => audit.reset(),
    setFaults: (patch) => {
      const present = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null && v !== undefined));
      validateFaults(present);
      faults.merge(patch);
    },
    setInstance,
    issuedCredentials: () =>
      [...world.sessions.values()].map((x) => ({
        accessKeyId: x.accessKeyId,
        accessKeySecret: x.accessKeySecret,
        securityToken: x.securityToken,
        expiresAt: x.expiresAt,
        arn: x.identity.arn,
      })),
    close: () =>
      new Promise<void>((resolve) => {
        engine.shutdown();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
