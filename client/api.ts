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

export async function startMultiAccountExecute(
  client: Client,
  input: MultiAccountExecuteInput,
  opts: StartOptions,
): Promise<WorkflowHandle> {
  return client.workflow.start(PARENT_WORKFLOW_TYPE, {
    args: [input],
    taskQueue: opts.taskQueue,
    workflowId: opts.workflowId ?? defaultWorkflowId(input),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
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
  await client.workflow.getHandle(workflowId).signal(pauseSignal);
}

export async function resume(client: Client, workflowId: string): Promise<void> {
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
