// Start and stop a local Temporal dev server (`temporal server start-dev`) from Node: used by the demo and
// by tests. The CLI binary is spawned directly (no shell wrapper), so stop() really ends the server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..');

export interface DevServerOptions {
  /** Frontend gRPC port. 0 or omitted: pick a free port. */
  port?: number;
  /** SQLite file for the server's state; kept after stop(). Default: a fresh temp file, deleted on stop(). */
  dbFile?: string;
  /** Interface to bind. Default 127.0.0.1. */
  ip?: string;
  /** Extra namespace to create ("default" always exists). Default "default". */
  namespace?: string;
  /** Search attributes to register, e.g. { FanoutDone: 'Int' }. */
  searchAttributes?: Record<string, 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList'>;
  /** Extra words appended to `temporal server start-dev ...`, e.g. ['--dynamic-config-value', 'K=V']. */
  extraArgs?: string[];
  /** Server log level. Default 'warn'. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Also append the server's output to this file. */
  logFile?: string;
  /** How long to wait for the server to become healthy. Default 60 000 ms. */
  startTimeoutMs?: number;
  /** The CLI to run. Default: resolveTemporalCli(). */
  cliPath?: string;
}

export interface DevServer {
  /** host:port of the frontend, e.g. "127.0.0.1:40123". */
  address: string;
  port: number;
  namespace: string;
  dbFile: string;
  pid: number;
  cliPath: string;
  /** The last lines the server printed (for error messages). */
  logTail(): string;
  /** SIGTERM, then SIGKILL after 10 s; deletes the db file if it was a temp one. Safe to call twice. */
  stop(): Promise<void>;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Temporal CLI to use: $TEMPORAL_CLI_PATH, else the one `npm run setup` recorded (tools/temporal-path,
 * tools/bin/temporal), else `temporal` on PATH. Returns an absolute real path; throws if none is found.
 */
export function resolveTemporalCli(): string {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file (unset it, or run \`npm run setup\`)`);
    }
    return fs.realpathSync(fromEnv);
  }
  const candidates: string[] = [];
  try {
    const recorded = fs.readFileSync(path.join(PROJECT_ROOT, 'tools', 'temporal-path'), 'utf8').trim();
    if (recorded) candidates.push(recorded);
  } catch {
    // not recorded yet
  }
  candidates.push(path.join(PROJECT_ROOT, 'tools', 'bin', 'temporal'));
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir) candidates.push(path.join(dir, 'temporal'));
  }
  for (const c of candidates) {
    if (isExecutableFile(c)) return fs.realpathSync(c);
  }
  throw new Error(
    'Temporal CLI not found (checked TEMPORAL_CLI_PATH, tools/temporal-path, tools/bin/temporal, PATH): run `npm run setup`',
  );
}

/** A TCP port that was free on `host` a moment ago. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

function run(cli: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve) => {
    execFile(cli, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) => {
      resolve({ ok: !err, stdout: stdout ?? '' });
    });
  });
}

/** True when the frontend at `address` reports SERVING and `namespace` is registered. */
export async function isDevServerHealthy(address: string, namespace = 'default', cliPath?: string): Promise<boolean> {
  const cli = cliPath ?? resolveTemporalCli();
  const health = await run(
    cli,
    ['operator', 'cluster', 'health', '--address', address, '--client-connect-timeout', '2s'],
    10_000,
  );
  if (!health.ok || !health.stdout.includes('SERVING')) return false;
  const ns = await run(
    cli,
    ['operator', 'namespace', 'describe', '--namespace', namespace, '--address', address],
    10_000,
  );
  return ns.ok;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class LogRing {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly max = 64 * 1024) {}
  push(s: string): void {
    this.chunks.push(s);
    this.size += s.length;
    while (this.size > this.max && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  tail(lines = 40): string {
    return this.chunks.join('').split('\n').slice(-lines).join('\n');
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(t);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

// Servers started here are killed if this process exits, or dies of SIGINT/SIGTERM, without calling stop().
const liveServers = new Set<ChildProcess>();
let exitHooksInstalled = false;
function killAllLive(): void {
  for (const c of liveServers) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  liveServers.clear();
}
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllLive);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    // Only when nobody else handles the signal: then its default action (exit) is kept by re-raising it.
    if (process.listenerCount(sig) > 0) continue;
    const h = () => {
      killAllLive();
      process.off(sig, h);
      process.kill(process.pid, sig);
    };
    process.on(sig, h);
  }
}

async function startOnce(opts: DevServerOptions, cli: string, port: number): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const address = `${ip}:${port}`;
  let tmpDir: string | undefined;
  let dbFile = opts.dbFile;
  if (!dbFile) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-dev-'));
    dbFile = path.join(tmpDir, 'temporal.db');
  }
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--db-filename',
    dbFile,
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=OFF',
    '--log-level',
    opts.logLevel ?? 'warn',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    ...Object.entries(opts.searchAttributes ?? {}).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]),
    ...(opts.extraArgs ?? []),
  ];

  const log = new LogRing();
  const logStream = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (b: Buffer) => {
    const s = b.toString('utf8');
    log.push(s);
    logStream?.write(s);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));

  liveServers.add(child);
  installExitHooks();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    liveServers.delete(child);
    logStream?.end();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  };

  const server: DevServer = {
    address,
    port,
    namespace,
    dbFile,
    pid: child.pid ?? -1,
    cliPath: cli,
    logTail: () => log.tail(),
    stop,
  };

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      const why = spawnError ? spawnError.message : `exited with ${child.exitCode ?? child.signalCode}`;
      throw new DevServerStartError(`Temporal dev server at ${address} ${why} before becoming healthy`, log.tail());
    }
    if (await isDevServerHealthy(address, namespace, cli)) return server;
    if (Date.now() >= deadline) {
      await stop();
      throw new DevServerStartError(`Temporal dev server at ${address} not healthy after ${timeoutMs} ms`, log.tail());
    }
    await sleep(200);
  }
}

export class DevServerStartError extends Error {
  constructor(
    message: string,
    readonly serverLog: string,
  ) {
    super(`${message}\n--- server log (tail) ---\n${serverLog}`);
    this.name = 'DevServerStartError';
  }
}

/**
 * Start `temporal server start-dev` and wait until it is healthy.
 * With port 0 (the default) a free port is picked, retried up to 3 times if it was taken meanwhile.
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = opts.cliPath ?? resolveTemporalCli();
  const autoPort = !opts.port;
  for (let attempt = 1; ; attempt++) {
    const port = autoPort ? await findFreePort(opts.ip ?? '127.0.0.1') : opts.port!;
    try {
      return await startOnce(opts, cli, port);
    } catch (e) {
      const inUse = e instanceof DevServerStartError && /address already in use/i.test(e.serverLog);
      if (!(autoPort && inUse && attempt < 3)) throw e;
    }
  }
}
