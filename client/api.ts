// Typed client API for other services and the CLI: start, watch, steer and read runs.
import { createHash } from 'node:crypto';
import {
  WorkflowFailedError,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { INVALID_INPUT, type InputProblem } from '../contract/errors';
import type { MultiAccountExecuteInput } from '../contract/input';
import { PARENT_WORKFLOW_TYPE } from '../contract/input';
import type { ChildProgress, ParentProgress, RateControlView } from '../contract/progress';
import type { RateControlChange } from '../contract/rateControl';
import type { MultiAccountExecuteResult } from '../contract/results';
import { pauseSignal, progressQuery, resumeSignal, setRateControlUpdate } from '../workflows/messages';
import { decodeErrorOf } from './errors';

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

/** Temporal's blob size limit for a workflow input: above it the start fails with an opaque error. */
export const MAX_INPUT_BYTES = 2_000_000;

/** The input is too large for Temporal to accept as a workflow input. */
export class InputTooLargeError extends Error {}

/** Throws InputTooLargeError (worded like an InvalidInput failure) when the input's JSON is over the limit. */
export function checkInputSize(input: MultiAccountExecuteInput): void {
  const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (bytes > MAX_INPUT_BYTES) {
    throw new InputTooLargeError(
      `invalid input:\n(input): got ${bytes} bytes of JSON (UTF-8); allowed: at most ${MAX_INPUT_BYTES} bytes, Temporal's limit for a workflow input`,
    );
  }
}

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
  checkInputSize(input);
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

/** RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, ... of the latest run under the id. */
export async function executionStatus(client: Client, workflowId: string): Promise<string> {
  return (await client.workflow.getHandle(workflowId).describe()).status.name;
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
  await requireRunning(client, workflowId, 'change');
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(setRateControlUpdate, { args: [change] });
  } catch (err) {
    // The run may have ended since the check: say so, as pause/resume/cancel do.
    if (err instanceof WorkflowNotFoundError) await requireRunning(client, workflowId, 'change');
    throw err;
  }
}

export async function cancel(client: Client, workflowId: string): Promise<void> {
  await requireRunning(client, workflowId, 'cancel');
  await client.workflow.getHandle(workflowId).cancel();
}

export type RunOutcome =
  | { kind: 'completed'; result: MultiAccountExecuteResult }
  | {
      kind: 'failed';
      type: string;
      message: string;
      result?: MultiAccountExecuteResult;
      /** An InvalidInput failure: each bad field of the input. */
      problems?: InputProblem[];
    };

/**
 * Waits for the run's end and reads its result, also from a MaxErrorsExceeded or cancelled failure. Only a
 * failure of the run is an outcome: a payload this process cannot decode throws PayloadDecodeError, other
 * errors (connection, unknown id) are thrown as they are.
 */
export async function waitForOutcome(handle: WorkflowHandle): Promise<RunOutcome> {
  try {
    return { kind: 'completed', result: (await handle.result()) as MultiAccountExecuteResult };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw decodeErrorOf(err) ?? err;
    return failedOutcome(err);
  }
}

function failedOutcome(err: WorkflowFailedError): RunOutcome {
  const cause = err.cause as { type?: string; name?: string; message?: string; details?: unknown[] } | undefined;
  const type = cause?.type ?? cause?.name ?? err.name;
  const message = cause?.message ?? err.message;
  const detail = cause?.details?.[0];
  // details[0] is the run's result for MaxErrorsExceeded and Cancelled, the problems for InvalidInput.
  if (type === INVALID_INPUT) {
    return { kind: 'failed', type, message, problems: Array.isArray(detail) ? (detail as InputProblem[]) : undefined };
  }
  return { kind: 'failed', type, message, result: isRunResult(detail) ? detail : undefined };
}

function isRunResult(value: unknown): value is MultiAccountExecuteResult {
  return typeof value === 'object' && value !== null && Array.isArray((value as { locations?: unknown }).locations);
}
