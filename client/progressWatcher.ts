// Shows progress of a running execution: a bar on a terminal, a line per change otherwise. Reads the
// `progress` query of the parent and of its running children (queries cost no history).
import { SingleBar, Presets } from 'cli-progress';
import type { Client } from '@temporalio/client';
import type { ChildProgress, ParentProgress } from '../contract/progress';
import { getChildProgress, getProgress } from './api';

export interface ProgressSnapshot {
  locationsDone: number;
  locations: number;
  instancesDone: number;
  instances: number;
  running: number;
  errors: number;
  paused: boolean;
}

export async function snapshot(client: Client, workflowId: string): Promise<ProgressSnapshot | undefined> {
  let parent: ParentProgress;
  try {
    parent = await getProgress(client, workflowId);
  } catch {
    return undefined; // not started yet, or finished
  }
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

/** Watches until `done` settles. Writes to stderr so that --json output on stdout stays clean. */
export async function watchProgress(client: Client, workflowId: string, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
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
  while (!finished) {
    const snap = await snapshot(client, workflowId);
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
