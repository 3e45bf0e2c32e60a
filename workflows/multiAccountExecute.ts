// Parent workflow `multiAccountExecute` (OOS MultiAccountToExecuteTemplate): takes the seed's input as-is
// and runs one child workflow per account/region, under the location-level RateControl. A failed child
// is one error; MaxErrors stops new locations; cancelling the parent cancels the running children.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { MAX_ERRORS_EXCEEDED, RUN_CANCELLED } from '../contract/errors';
import type { MultiAccountExecuteInput } from '../contract/input';
import type { ParentProgress } from '../contract/progress';
import { DEFAULT_RATE_CONTROL } from '../contract/rateControl';
import {
  emptyCounts,
  type Counts,
  type LocationResult,
  type LocationStatus,
  type MultiAccountExecuteResult,
  type RunStatus,
} from '../contract/results';
import { jsonBytes } from '../contract/utf8';
import { validateMultiAccountInput } from '../contract/validate';
import { validatedOrFail } from './failures';
import { rateControlView, registerControlHandlers } from './control';
import { progressQuery } from './messages';
import { RateWindow } from './rateWindow';

/** Bytes of children's inputs started in one workflow task (its completion is one gRPC message of ≤ 4 MB). */
const CHILD_INPUT_BYTES_PER_TASK = 1_500_000;

/** Patch: children's starts are spread over workflow tasks by CHILD_INPUT_BYTES_PER_TASK. */
const CHILD_STARTS_PER_TASK_BUDGET = 'child-starts-per-task-budget';

/** Patch: on cancel, the parent also cancels each running child by workflow id (reaching its latest run). */
const CANCEL_CHILDREN_BY_ID = 'cancel-children-by-workflow-id';

export async function multiAccountExecute(input: MultiAccountExecuteInput): Promise<MultiAccountExecuteResult> {
  const root = CancellationScope.current();
  let phase: ParentProgress['phase'] = 'Validating';
  let window: RateWindow | undefined;
  let locations: LocationResult[] = [];
  let next = 0;

  const control = registerControlHandlers(() => window);
  setHandler(progressQuery, (): ParentProgress => {
    const counts = { ...emptyCounts(locations.length), running: 0, pending: 0 };
    for (const loc of locations) countLocation(counts, loc.status);
    return {
      phase,
      counts,
      rateControl: rateControlView(window ?? new RateWindow(0, DEFAULT_RATE_CONTROL)),
      locations,
    };
  });

  const plan = validatedOrFail(() => validateMultiAccountInput(input));
  const { params } = plan;
  const parentId = workflowInfo().workflowId;
  locations = plan.locations.map((l) => ({
    accountId: l.accountId,
    regionId: l.regionId,
    roleChain: l.roleChain,
    workflowId: `${parentId}/${l.accountId}/${l.regionId}`,
    status: 'Pending',
    counts: emptyCounts(),
    error: null,
  }));
  window = new RateWindow(locations.length, params.rateControl ?? DEFAULT_RATE_CONTROL);
  if (control.pausedEarly()) window.pause();
  const win = window;

  const runLocation = async (index: number) => {
    const loc = locations[index]!;
    const spec = plan.locations[index]!;
    loc.status = 'Running';
    let isError = false;
    try {
      const result: unknown = await executeChild(spec.workflowType, {
        workflowId: loc.workflowId,
        args: [spec.childInput],
        taskQueue: params.templateTaskQueue,
        // A parent that is terminated still asks its children to stop their invocations.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      loc.status = runStatusOf(result) ?? 'Success';
      loc.counts = countsOf(result) ?? loc.counts;
    } catch (err) {
      if (!(err instanceof ChildWorkflowFailure) && !isCancellation(err)) throw err;
      const cause = (err instanceof ChildWorkflowFailure ? err.cause : err) as
        ApplicationFailure | CancelledFailure | undefined;
      const details = cause?.details?.[0];
      loc.counts = countsOf(details) ?? loc.counts;
      loc.status =
        cause instanceof CancelledFailure || (cause as ApplicationFailure)?.type === RUN_CANCELLED
          ? 'Cancelled'
          : 'Failed';
      loc.error = cause?.message ?? (err as Error).message;
      isError = true;
    }
    win.finish(isError);
  };

  // One workflow task's commands go to the server in one gRPC message (4 MB at most): start children
  // whose inputs add up to at most CHILD_INPUT_BYTES_PER_TASK per task, then wait for the next task
  // (the children just started bring one). historyLength changes with every workflow task.
  const inputBytes = plan.locations.map((l) => jsonBytes(l.childInput));
  let budgetTask = -1;
  let bytesThisTask = 0;
  const overTaskBudget = (bytes: number): boolean => {
    const task = workflowInfo().historyLength;
    if (task !== budgetTask) [budgetTask, bytesThisTask] = [task, 0];
    return bytesThisTask > 0 && bytesThisTask + bytes > CHILD_INPUT_BYTES_PER_TASK;
  };

  phase = 'Running';
  const canStartMore = () => !root.consideredCancelled && next < locations.length && win.available() > 0;
  const allDone = () => win.running === 0 && (next >= locations.length || win.tripped);
  try {
    for (;;) {
      while (canStartMore()) {
        if (overTaskBudget(inputBytes[next]!) && patched(CHILD_STARTS_PER_TASK_BUDGET)) {
          const task = budgetTask;
          await condition(() => workflowInfo().historyLength !== task);
          continue;
        }
        bytesThisTask += inputBytes[next]!;
        win.start(1);
        void runLocation(next++);
      }
      if (allDone()) break;
      // Paused, or between waves, with nothing running: wait for resume (not for running === 0, which
      // is already true and would spin this loop forever).
      await condition(() => canStartMore() || allDone());
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      // The SDK's cancel of a child names the child's first run: a child that has continued as new would
      // never see it. Ask each running child by workflow id alone, which reaches its current run.
      if (patched(CANCEL_CHILDREN_BY_ID)) {
        await Promise.all(
          locations
            .filter((l) => l.status === 'Running')
            .map((l) =>
              getExternalWorkflowHandle(l.workflowId)
                .cancel()
                .catch(() => undefined),
            ), // ended meanwhile
        );
      }
      // Wait until each child has stopped its invocations and reported how they ended.
      await condition(() => win.running === 0);
    });
    phase = 'Done';
    const result = buildResult('Cancelled');
    throw ApplicationFailure.create({
      type: RUN_CANCELLED,
      nonRetryable: true,
      message: `cancelled: ${result.counts.cancelled} locations cancelled, ${result.counts.skipped} never started`,
      details: [result],
    });
  }

  phase = 'Done';
  const failed = locations.filter((l) => l.status === 'Failed' || l.status === 'Cancelled').length;
  if (win.tripped) {
    const result = buildResult('Failed');
    throw ApplicationFailure.create({
      type: MAX_ERRORS_EXCEEDED,
      nonRetryable: true,
      message: `MaxErrors exceeded: ${failed} locations failed > MaxErrors ${win.maxErrors} (${locations.length} locations, ${result.counts.skipped} skipped)`,
      details: [result],
    });
  }
  const allClean = failed === 0 && locations.every((l) => l.status === 'Success');
  return buildResult(allClean ? 'Success' : 'PartialFailed');

  function buildResult(status: RunStatus): MultiAccountExecuteResult {
    for (const loc of locations) if (loc.status === 'Pending') loc.status = 'Skipped';
    const counts = emptyCounts(locations.length);
    const instanceCounts = emptyCounts();
    for (const loc of locations) {
      countLocation(counts, loc.status);
      for (const key of ['total', 'success', 'failed', 'skipped', 'cancelled'] as const)
        instanceCounts[key] += loc.counts[key];
    }
    return { status, counts, instanceCounts, locations };
  }
}

function countLocation(counts: Counts & { running?: number; pending?: number }, status: LocationStatus): void {
  if (status === 'Success' || status === 'PartialFailed') counts.success++;
  else if (status === 'Skipped') counts.skipped++;
  else if (status === 'Cancelled') counts.cancelled++;
  else if (status === 'Failed') counts.failed++;
  else if (status === 'Running' && counts.running !== undefined) counts.running++;
  else if (counts.pending !== undefined) counts.pending++;
}

function runStatusOf(result: unknown): RunStatus | undefined {
  const status = (result as { status?: unknown } | null)?.status;
  return status === 'Success' || status === 'PartialFailed' ? status : undefined;
}

function countsOf(value: unknown): Counts | undefined {
  const counts = (value as { counts?: Counts } | null | undefined)?.counts;
  return counts && typeof counts.total === 'number' ? counts : undefined;
}
