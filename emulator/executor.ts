// Runs one instance's command: `exec` spawns /bin/sh in the instance's scratch directory; `simulate`
// replays the instance's behaviour with a single timer (no processes, so 10,000+ instances fit).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OutputCollector } from './output';
import { pick, type Rng } from './prng';
import type { Behavior } from './scenario';

export interface RunResult {
  exitCode: number;
  /** Captured output (exec); undefined when the behaviour's output applies (simulate). */
  output: Buffer | undefined;
  dropped: number;
  timedOut: boolean;
  /** Set when the command could not be run at all. */
  error?: string;
}

export type Cancel = () => void;

export const DEFAULT_SIM_DURATION_MS = 100;

export function simulate(b: Behavior | undefined, timeoutMs: number, rng: Rng, onDone: (r: RunResult) => void): Cancel {
  const behavior = b ?? {};
  const duration = pick(rng, behavior.durationMs, DEFAULT_SIM_DURATION_MS);
  const failed = behavior.failRate !== undefined && rng.next() < behavior.failRate;
  const exitCode = failed ? (behavior.failExitCode ?? 1) : (behavior.exitCode ?? 0);
  const timedOut = duration > timeoutMs;
  const timer = setTimeout(
    () => onDone({ exitCode: timedOut ? -1 : exitCode, output: undefined, dropped: 0, timedOut }),
    Math.min(duration, timeoutMs),
  );
  timer.unref();
  return () => clearTimeout(timer);
}

/**
 * Per-instance scratch directories (os.tmpdir()/alicloud-emulator/<instanceId>/run-XXXXXX), created on
 * first use, shared by every command on that instance during this emulator's life, removed on shutdown.
 */
export class Scratch {
  private readonly dirs = new Map<string, string>();
  private readonly base = join(tmpdir(), 'alicloud-emulator');

  dir(instanceId: string): string {
    let d = this.dirs.get(instanceId);
    if (!d) {
      const parent = join(this.base, instanceId.replace(/[^\w.-]/g, '_'));
      mkdirSync(parent, { recursive: true });
      d = mkdtempSync(join(parent, 'run-'));
      this.dirs.set(instanceId, d);
    }
    return d;
  }

  removeAll(): void {
    for (const d of this.dirs.values()) {
      rmSync(d, { recursive: true, force: true });
      try {
        rmdirSync(dirname(d)); // the <instanceId> parent, unless another emulator still uses it
      } catch {
        // not empty or already gone
      }
    }
    this.dirs.clear();
  }
}

export function execShell(
  script: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
  onDone: (r: RunResult) => void,
): Cancel {
  const out = new OutputCollector();
  let timedOut = false;
  let finished = false;
  // detached: the shell leads its own process group, so a kill reaches the whole tree (e.g. `sleep`).
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn('/bin/sh', ['-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // spawn throws at once on what no process can take (a NUL byte in the script or a parameter): that
    // instance fails, the emulator goes on.
    setImmediate(() =>
      onDone({ exitCode: -1, output: out.buffer(), dropped: 0, timedOut: false, error: (e as Error).message }),
    );
    return () => undefined;
  }
  const killTree = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killTree();
  }, timeoutMs);
  timer.unref();
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => out.push(c));
  const finish = (r: RunResult): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    onDone(r);
  };
  child.on('error', (e) =>
    finish({ exitCode: -1, output: out.buffer(), dropped: out.dropped, timedOut: false, error: e.message }),
  );
  child.on('close', (code, signal) => {
    const exitCode = timedOut ? -1 : (code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : -1));
    finish({ exitCode, output: out.buffer(), dropped: out.dropped, timedOut });
  });
  return () => {
    finished = true;
    clearTimeout(timer);
    killTree();
  };
}
