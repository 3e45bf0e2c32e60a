// Typed client API for other services and the CLI: start, watch, steer and read runs.
import { createHash } from 'node:crypto';
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { MultiAccountExecuteInput } from '../contract/input';
import { PARENT_WORKFLOW_TYPE } from '../contract/input';
import type { ChildProgress, ParentProgress, RateControlView } from '../contract/progress';
import type { RateControlChange } from '../contract/rateControl';
import type { MultiAccountExecuteResult } from '../contract/results';
import { pauseSignal, progressQuery, resumeSignal, setRateControlUpdate } from '../workflows/messages';

/**
 * Default business id: the same input maps to the same id, so starting it again while it runs attaches
 * to the running execution instead of running the commands twice.
 */
export function defaultWorkflowId(input: MultiAccountExecuteInput): string {
  return `fleet-run-${createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 16)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface StartOptions {
  taskQueue: string;
  workflowId?: string;
}

/** Memo key of a run's input fingerprint: a second start with the same id tells whether it is the same run. */
export const INPUT_MEMO_KEY = 'fleetRunInputSha256';

/** A run with this id is already running, with another input (or one started without a fingerprint). */
export class RunConflictError extends Error {}

export interface StartedRun {
  handle: WorkflowHandle;
  /** True when the same input was already running under this id: nothing new was started. */
  attached: boolean;
}

/**
 * Starts a run, or attaches to the one already running with this id and the same input. A different
 * input under a running id is refused rather than silently reported as this input's result.
 */
export async function startRun(
  client: Client,
  input: MultiAccountExecuteInput,
  opts: StartOptions,
): Promise<StartedRun> {
  const workflowId = opts.workflowId ?? defaultWorkflowId(input);
  const fingerprint = createHash('sha256').update(canonicalJson(input)).digest('hex');
  const running = await describeIfExists(client, workflowId);
  if (running?.status.name === 'RUNNING') {
    const theirs = running.memo?.[INPUT_MEMO_KEY];
    if (theirs !== fingerprint) {
      throw new RunConflictError(
        `run ${workflowId} is already running with ${theirs === undefined ? 'an input this CLI did not start' : 'a different input'}; ` +
          'give another --workflow-id, or watch it with `status` / `result`',
      );
    }
    return { handle: client.workflow.getHandle(workflowId), attached: true };
  }
  const handle = await client.workflow.start(PARENT_WORKFLOW_TYPE, {
    args: [input],
    taskQueue: opts.taskQueue,
    workflowId,
    memo: { [INPUT_MEMO_KEY]: fingerprint },
    // Two starts racing with the same id still make one run.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return { handle, attached: false };
}

export async function startMultiAccountExecute(
  client: Client,
  input: MultiAccountExecuteInput,
  opts: StartOptions,
): Promise<WorkflowHandle> {
  return (await startRun(client, input, opts)).handle;
}

async function describeIfExists(client: Client, workflowId: string) {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** A run that has ended cannot be paused, resumed or cancelled. */
export class RunEndedError extends Error {}

/** Throws RunEndedError unless the run is running; returns its workflow type. */
export async function requireRunning(client: Client, workflowId: string, action: string): Promise<string> {
  const d = await client.workflow.getHandle(workflowId).describe();
  if (d.status.name !== 'RUNNING') {
    throw new RunEndedError(`run ${workflowId} has already ended (${d.status.name}): nothing to ${action}`);
  }
  return d.type;
}

/** The workflow type of an execution (multiAccountExecute, bulkyRunCommand, ...). */
export async function workflowTypeOf(client: Client, workflowId: string): Promise<string> {
  return (await client.workflow.getHandle(workflowId).describe()).type;
}

export async function getProgress(client: Client, workflowId: string): Promise<ParentProgress> {
  return (await client.workflow.getHandle(workflowId).query(progressQuery)) as ParentProgress;
}

/** The progress of a parent or of one location's child, whichever the id names. */
export async function getAnyProgress(client: Client, workflowId: string): Promise<ParentProgress | ChildProgress> {
  return client.workflow.getHandle(workflowId).query(progressQuery);
}

export async function getChildProgress(client: Client, workflowId: string): Promise<ChildProgress> {
  return (await client.workflow.getHandle(workflowId).query(progressQuery)) as ChildProgress;
}

export async function pause(client: Client, workflowId: string): Promise<void> {
  await requireRunning(client, workflowId, 'pause');
  await client.workflow.getHandle(workflowId).signal(pauseSignal);
}

export async function resume(client: Client, workflowId: string): Promise<void> {
  await requireRunning(client, workflowId, 'resume');
  await client.workflow.getHandle(workflowId).signal(resumeSignal);
}

export async function setRateControl(
  client: Client,
  workflowId: string,
  change: RateControlChange,
): Promise<RateControlView> {
  return client.workflow.getHandle(workflowId).executeUpdate(setRateControlUpdate, { args: [change] });
}

export async function cancel(client: Client, workflowId: string): Promise<void> {
  await requireRunning(client, workflowId, 'cancel');
  await client.workflow.getHandle(workflowId).cancel();
}

export type RunOutcome =
  | { kind: 'completed'; result: MultiAccountExecuteResult }
  | { kind: 'failed'; type: string; message: string; result?: MultiAccountExecuteResult };

/** Waits for the run's end and reads its result, also from a MaxErrorsExceeded or cancelled failure. */
export async function waitForOutcome(handle: WorkflowHandle): Promise<RunOutcome> {
  try {
    return { kind: 'completed', result: (await handle.result()) as MultiAccountExecuteResult };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw err;
    const cause = (err as { cause?: { type?: string; name?: string; message?: string; details?: unknown[] } }).cause;
    const type = cause?.type ?? cause?.name ?? (err as Error).name;
    const result = cause?.details?.[0] as MultiAccountExecuteResult | undefined;
    return { kind: 'failed', type, message: cause?.message ?? (err as Error).message, result };
  }
}
