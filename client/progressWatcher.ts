// Shows progress of a running execution: a bar on a terminal, a line per change otherwise. Reads the
// `progress` query of the parent and of its running children (queries cost no history).
import { SingleBar, Presets } from 'cli-progress';
import type { Client } from '@temporalio/client';
import type { ChildProgress, ParentProgress } from '../contract/progress';
import { getChildProgress, getProgress } from './api';
import { decodeErrorOf, isNoWorkerError, messageWithCauses } from './errors';

export interface ProgressSnapshot {
  locationsDone: number;
  locations: number;
  instancesDone: number;
  instances: number;
  running: number;
  errors: number;
  paused: boolean;
}

/** The run's progress; throws when the parent's `progress` query fails (no worker, not decodable, ...). */
export async function snapshot(client: Client, workflowId: string): Promise<ProgressSnapshot> {
  const parent: ParentProgress = await getProgress(client, workflowId);
  const snap: ProgressSnapshot = {
    locationsDone: 0,
    locations: parent.locations.length,
    instancesDone: 0,
    instances: 0,
    running: 0,
    errors: 0,
    paused: parent.rateControl.paused,
  };
  await Promise.all(
    parent.locations.map(async (loc) => {
      if (loc.status === 'Running') {
        const child: ChildProgress | undefined = await getChildProgress(client, loc.workflowId).catch(() => undefined);
        if (!child) return;
        const c = child.counts;
        snap.instances += c.total;
        snap.instancesDone += c.success + c.failed + c.skipped + c.cancelled;
        snap.running += c.running;
        snap.errors += child.rateControl.errors;
      } else if (loc.status !== 'Pending') {
        snap.locationsDone++;
        snap.instances += loc.counts.total;
        snap.instancesDone += loc.counts.total;
        snap.errors += loc.counts.failed + loc.counts.cancelled;
      }
    }),
  );
  return snap;
}

export interface WatchOptions {
  /** The run's task queue, named in the hint when no worker answers. */
  taskQueue?: string;
  /** How long queries may go unanswered before the hint is printed (once). Default 5 s. */
  hintAfterMs?: number;
}

/**
 * Says once, on stderr, why progress stays silent: queries unanswered for `hintAfterMs` mostly mean that no
 * worker polls the task queue. Polled once a second by watchProgress; a hanging query still counts.
 */
class SilenceHint {
  private lastAnswer = Date.now();
  private lastError: unknown;
  private said = false;

  constructor(private readonly opts: WatchOptions) {}

  answered(): void {
    this.lastAnswer = Date.now();
    this.lastError = undefined;
  }

  failed(err: unknown): void {
    this.lastError = err;
  }

  check(): void {
    const silentMs = Date.now() - this.lastAnswer;
    if (this.said || silentMs < (this.opts.hintAfterMs ?? 5_000)) return;
    this.said = true;
    process.stderr.write(`${this.message(Math.round(silentMs / 1000))}\n`);
  }

  private message(seconds: number): string {
    const err = this.lastError;
    if (err !== undefined && !isNoWorkerError(err)) {
      return `no progress for ${seconds}s: ${decodeErrorOf(err)?.message ?? messageWithCauses(err)} (still waiting)`;
    }
    const queue = this.opts.taskQueue ? ` on task queue ${this.opts.taskQueue}` : '';
    return `no worker has answered for ${seconds}s${queue}: is a worker running (npm run worker)? (still waiting)`;
  }
}

/** Watches until `done` settles. Writes to stderr so that --json output on stdout stays clean. */
export async function watchProgress(
  client: Client,
  workflowId: string,
  done: Promise<unknown>,
  opts: WatchOptions = {},
): Promise<void> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  const hint = new SilenceHint(opts);
  // A query may hang until its deadline: check the silence on a timer, not only between queries.
  const timer = setInterval(() => hint.check(), 1000);
  try {
    await watchLoop(client, workflowId, done, hint, () => finished);
  } finally {
    clearInterval(timer);
  }
}

async function watchLoop(
  client: Client,
  workflowId: string,
  done: Promise<unknown>,
  hint: SilenceHint,
  finished: () => boolean,
): Promise<void> {
  const tty = process.stderr.isTTY;
  const bar = tty
    ? new SingleBar(
        {
          format:
            'instances {bar} {value}/{total} | locations {locDone}/{locs} | running {running} | errors {errors}{paused}',
          stream: process.stderr,
          hideCursor: true,
        },
        Presets.shades_classic,
      )
    : undefined;
  let started = false;
  let lastLine = '';
  while (!finished()) {
    let snap: ProgressSnapshot | undefined;
    try {
      snap = await snapshot(client, workflowId);
      hint.answered();
    } catch (err) {
      hint.failed(err); // not started yet, finished, or no worker
    }
    if (snap) {
      const payload = {
        locDone: snap.locationsDone,
        locs: snap.locations,
        running: snap.running,
        errors: snap.errors,
        paused: snap.paused ? ' | PAUSED' : '',
      };
      if (bar) {
        if (!started) bar.start(Math.max(snap.instances, 1), snap.instancesDone, payload);
        started = true;
        bar.setTotal(Math.max(snap.instances, 1));
        bar.update(snap.instancesDone, payload);
      } else {
        const line = `progress: instances ${snap.instancesDone}/${snap.instances}, locations ${snap.locationsDone}/${snap.locations}, running ${snap.running}, errors ${snap.errors}${payload.paused}`;
        if (line !== lastLine) process.stderr.write(`${line}\n`);
        lastLine = line;
      }
    }
    await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  }
  bar?.stop();
}
