// Workers as separate processes (`node --import tsx worker/main.ts`, what `npm run worker` runs), so tests
// can SIGKILL them, restart them and read everything they printed. A prebuilt workflow bundle
// (WORKFLOW_BUNDLE_PATH) keeps each start at about a second. Every process started here is SIGKILLed when
// the test process exits, even if a test forgot to stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/createWorker';
import { ENCRYPTED_FAILURE_CONVERTER_PATH } from '../../worker/encryptionCodec';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const bundles = new Map<string, Promise<string>>();

/**
 * workflows/ bundled once per test process into a temp file, for WORKFLOW_BUNDLE_PATH. `encrypted`: built
 * with the failure converter that moves failure messages into (encrypted) payloads, as a worker with
 * FLEET_RUN_CODEC_KEY needs.
 */
export function workflowBundleFile(opts: { encrypted?: boolean } = {}): Promise<string> {
  const variant = opts.encrypted ? 'encrypted' : 'plain';
  let file = bundles.get(variant);
  if (!file) {
    file = (async () => {
      const bundle = await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        logger: new DefaultLogger('WARN'),
        ...(opts.encrypted ? { failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH } : {}),
      });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-run-bundle-'));
      const out = path.join(dir, `workflows-${variant}.js`);
      fs.writeFileSync(out, bundle.code);
      process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
      return out;
    })();
    bundles.set(variant, file);
  }
  return file;
}

// ---- cleanup of everything spawned here ----------------------------------------------------------------
const live = new Set<ChildProcess>();
let hooks = false;
function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  live.clear();
}

/** SIGKILLs every process started here that still runs (for `after` hooks: nothing outlives a test file). */
export async function killAllProcesses(): Promise<void> {
  const running = [...live].filter((c) => c.exitCode === null && c.signalCode === null);
  const gone = running.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
  for (const c of running) c.kill('SIGKILL');
  await Promise.all(gone);
}
function installHooks(): void {
  if (hooks) return;
  hooks = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    if (process.listenerCount(sig) > 0) continue;
    const h = () => {
      killAll();
      process.off(sig, h);
      process.kill(process.pid, sig);
    };
    process.on(sig, h);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcessOptions {
  address: string;
  taskQueue: string;
  namespace?: string;
  /** ALICLOUD_ENDPOINT, e.g. the in-process emulator's url. */
  endpoint: string;
  /** The RAM user the worker signs in as (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET). */
  accessKeyId: string;
  accessKeySecret: string;
  /** WORKFLOW_BUNDLE_PATH; default: the worker bundles workflows/ itself (slow). */
  bundlePath?: string;
  /** LOG_LEVEL of the worker (default INFO). */
  logLevel?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** More environment (e.g. ALICLOUD_STS_DURATION_SECONDS, FLEET_RUN_CODEC_KEY); undefined removes a key. */
  env?: Record<string, string | undefined>;
  /** How long to wait for the worker to print that it runs. Default 60 s. */
  readyTimeoutMs?: number;
}

/** The environment of a worker process: nothing of this process's Temporal, cloud or codec settings leaks in. */
function workerEnv(opts: WorkerProcessOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(TEMPORAL_|ALIBABA_CLOUD_|ALICLOUD_|FLEET_RUN_|WORKFLOW_BUNDLE_PATH$|LOG_LEVEL$)/.test(k)) env[k] = v;
  }
  Object.assign(env, {
    TEMPORAL_ADDRESS: opts.address,
    TEMPORAL_NAMESPACE: opts.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: opts.taskQueue,
    ALICLOUD_ENDPOINT: opts.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: opts.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: opts.accessKeySecret,
    LOG_LEVEL: opts.logLevel ?? 'INFO',
  });
  if (opts.bundlePath) env.WORKFLOW_BUNDLE_PATH = opts.bundlePath;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** A TypeScript entry point of this project run as its own process (`node --import tsx <script>`). */
export class ScriptProcess {
  private out = '';
  readonly exited: Promise<Exit>;

  protected constructor(
    private readonly child: ChildProcess,
    readonly startedAt: number,
  ) {
    const collect = (b: Buffer) => {
      this.out += b.toString('utf8');
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolve({ code, signal });
      });
    });
  }

  /** Starts `script` and waits until its output matches `ready` (throws with its output if it exits first). */
  static async spawn(
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    ready: RegExp,
    readyTimeoutMs = 60_000,
  ): Promise<ScriptProcess> {
    installHooks();
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const p = new ScriptProcess(child, Date.now());
    const deadline = Date.now() + readyTimeoutMs;
    let exit: Exit | undefined;
    void p.exited.then((e) => (exit = e));
    while (!ready.test(p.out)) {
      if (exit) throw new Error(`${script} exited (${exit.code ?? exit.signal}) before it was ready:\n${p.out}`);
      if (Date.now() > deadline) {
        await p.kill('SIGKILL');
        throw new Error(`${script} not ready after ${readyTimeoutMs} ms:\n${p.out}`);
      }
      await sleep(50);
    }
    return p;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything it printed on stdout and stderr so far. */
  output(): string {
    return this.out;
  }

  /** Sends the signal (SIGKILL: no cleanup, no drain) and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM (a worker drains), then SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(t);
    }
  }
}

/** One `worker/main.ts` process (what `npm run worker` runs). */
export type WorkerProcess = ScriptProcess;
export const WorkerProcess = {
  start: (opts: WorkerProcessOptions): Promise<WorkerProcess> =>
    ScriptProcess.spawn('worker/main.ts', [], workerEnv(opts), /^worker: task queue/m, opts.readyTimeoutMs),
};

/** `client/codecServer.ts` (what `npm run codec-server` runs) on a free port; `url` is its endpoint. */
export async function startCodecServerProcess(
  env: Record<string, string>,
): Promise<{ url: string; process: ScriptProcess }> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FLEET_RUN_')) base[k] = v;
  const p = await ScriptProcess.spawn(
    'client/codecServer.ts',
    ['--port', '0'],
    { ...base, ...env },
    /codec server listening on http:\/\/\S+/,
  );
  const url = /codec server listening on (http:\/\/[^\s]+)/.exec(p.output())![1]!;
  return { url, process: p };
}

/** A worker that a test crashes and restarts; keeps the output of every incarnation. */
export class RestartableWorker {
  private current: WorkerProcess | undefined;
  private readonly previous: WorkerProcess[] = [];
  /** pid, start and end (ms) and how each incarnation ended. */
  readonly history: { pid: number; startedAt: number; endedAt: number | null; exit: Exit | null }[] = [];

  constructor(readonly opts: WorkerProcessOptions) {}

  private closed = false;

  async start(): Promise<WorkerProcess> {
    if (this.closed) throw new Error('the worker was stopped for good');
    if (this.current?.running) throw new Error('the worker is already running');
    const w = await WorkerProcess.start(this.opts);
    if (this.closed) {
      // stop() ran while this one was starting (e.g. a failed test's cleanup): it must not live on
      await w.kill('SIGKILL');
      throw new Error('the worker was stopped for good');
    }
    this.current = w;
    const entry = { pid: w.pid, startedAt: w.startedAt, endedAt: null as number | null, exit: null as Exit | null };
    this.history.push(entry);
    void w.exited.then((exit) => {
      entry.endedAt = Date.now();
      entry.exit = exit;
    });
    return w;
  }

  get process(): WorkerProcess | undefined {
    return this.current;
  }

  /** SIGKILL the running worker (it gets no chance to finish anything), then start a new one. */
  async crashAndRestart(): Promise<{ killedPid: number; restartMs: number }> {
    const w = this.current;
    if (!w) throw new Error('no worker to kill');
    const killedPid = w.pid;
    await w.kill('SIGKILL');
    this.previous.push(w);
    this.current = undefined;
    const t0 = Date.now();
    await this.start();
    return { killedPid, restartMs: Date.now() - t0 };
  }

  /** Output of all incarnations, oldest first. */
  output(): string {
    return [...this.previous, ...(this.current ? [this.current] : [])]
      .map((w) => `--- worker pid ${w.pid} ---\n${w.output()}`)
      .join('\n');
  }

  /** Stops the running worker (SIGTERM, SIGKILL after 5 s); no restart is possible afterwards. */
  async stop(): Promise<void> {
    this.closed = true;
    const w = this.current;
    if (w) {
      await w.stop(5_000);
      this.previous.push(w);
      this.current = undefined;
    }
  }
}
