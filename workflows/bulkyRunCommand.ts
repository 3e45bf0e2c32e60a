// Child workflow `bulkyRunCommand` (OOS ACS-ECS-BulkyRunCommand): one account, one region. Selects the
// target instances, then runs the command on them through Cloud Assistant under the instance-level
// RateControl: a sliding window per instance, up to 100 instances per RunCommand call, and MaxErrors.
// Long runs continue-as-new, carrying their state (BulkyContinuation) to the next run.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CommandSpec } from '../activities';
import { INVALID_INPUT, MAX_ERRORS_EXCEEDED, RUN_CANCELLED } from '../contract/errors';
import type { BulkyRunCommandInput, BulkyRunCommandParams } from '../contract/input';
import type { ChildProgress } from '../contract/progress';
import { DEFAULT_RATE_CONTROL } from '../contract/rateControl';
import {
  emptyCounts,
  errorCount,
  isErrorStatus,
  type BulkyRunCommandResult,
  type InstanceResult,
  type RunStatus,
} from '../contract/results';
import { validateBulkyInput } from '../contract/validate';
import { validatedOrFail } from './failures';
import { POLL_MAX_WAIT_MS, cloudCalls, polling } from './activityStubs';
import { rateControlView, registerControlHandlers } from './control';
import { decodeSubset, encodeSubset } from './subsetMask';
import { InstanceLedger, ledgerRoom, type LedgerState } from './instanceLedger';
import { progressQuery, resultQuery } from './messages';
import { RateWindow, type RateWindowState } from './rateWindow';

/** Patch: a pause/resume that reaches a continued run before its window exists is applied, not lost. */
const EARLY_SIGNALS_IN_CONTINUED_RUN = 'early-signals-in-continued-run';

/** Rounds of polling after a cancel, to learn what the stopped instances did. */
const POLLS_AFTER_STOP = 5;
/** RunCommand refusals caused by one instance of the call (it was released, or its OS does not fit). */
const PER_INSTANCE_REFUSALS = new Set([
  'InvalidInstance.NotFound',
  'InvalidInstance.NotMatch',
  'InvalidInstanceStatus',
]);
/**
 * Bytes the continue-as-new input and the result may take: under Temporal's 256 KB payload warning, with
 * room for the rate window's state and encoding.
 */
const PAYLOAD_BUDGET = 240 * 1024;

/** Everything a run hands to the next one on continue-as-new. */
export interface BulkyContinuation {
  accountId: string;
  /**
   * Selected instances in dispatch order. Absent when targets are ResourceIds: the input already lists
   * them (selectedResourceIds), and carrying them twice would double the payload.
   */
  instanceIds?: string[];
  /** ResourceIds that the region does not have (after instanceIds in instance order); empty with missingMask. */
  missing: string[];
  /** With ResourceIds: `missing` as a mask over the (deduplicated) ResourceIds, which the input already lists. */
  missingMask?: string;
  /** Index in instanceIds of the next instance to dispatch. */
  next: number;
  ledger: LedgerState;
  sequence: number;
  window: RateWindowState;
  stopSent: boolean;
  /** The poll schedule's learned duration (absent before any was learned, and in older runs). */
  expectedDurationMs?: number;
}

/** The continuation written before the ledger (kept so that those runs replay and resume). */
interface BulkyContinuationV1 {
  accountId: string;
  instanceIds: string[];
  missing: string[];
  next: number;
  results: InstanceResult[];
  sequence: number;
  window: RateWindowState;
  stopSent: boolean;
}

export async function bulkyRunCommand(input: BulkyRunCommandInput): Promise<BulkyRunCommandResult> {
  const root = CancellationScope.current();
  let phase: ChildProgress['phase'] = 'Validating';
  let window: RateWindow | undefined;
  let ledger: InstanceLedger | undefined;
  let accountId = '';
  const inflight = new Map<string, Set<string>>(); // invokeId → instances without a result yet
  // For the poll schedule (as the activities measured them): when each invocation was sent (not carried
  // over continue-as-new: those are polled at the interval), and the shortest send-to-seen-ended time.
  const sentAt = new Map<string, number>();
  let expectedDurationMs: number | undefined;
  let queue: string[] = [];
  let missing: string[] = [];
  let next = 0;
  let finalResult: BulkyRunCommandResult | undefined;

  const control = registerControlHandlers(() => window);
  setHandler(progressQuery, (): ChildProgress => {
    const { counts, running } = ledger?.tally() ?? { counts: emptyCounts(), running: 0 };
    // Until the run ends, an unsent instance is pending, not skipped.
    const pending = phase === 'Done' ? 0 : counts.skipped;
    return {
      phase,
      accountId,
      regionId: input.regionId,
      counts: { ...counts, skipped: counts.skipped - pending, running, pending },
      rateControl: rateControlView(window ?? new RateWindow(0, DEFAULT_RATE_CONTROL)),
      invocations: inflight.size,
    };
  });
  let failedEarly: string | undefined;
  setHandler(resultQuery, (): BulkyRunCommandResult => {
    if (failedEarly) throw new Error(`the run failed before any instance ran: ${failedEarly}`);
    if (!finalResult) throw new Error('the run has not ended yet: ask the progress query');
    return finalResult;
  });
  /** Ends the run before any instance was sent: the failure says why, the queries say it ended. */
  const failEarly = (err: unknown): never => {
    phase = 'Done';
    failedEarly = (err as Error).message;
    throw err;
  };

  const params = (() => {
    try {
      return validatedOrFail(() => validateBulkyInput(input));
    } catch (err) {
      return failEarly(err);
    }
  })();
  if (params.continuation && workflowInfo().continuedFromExecutionRunId === undefined) {
    failEarly(
      ApplicationFailure.create({
        type: INVALID_INPUT,
        nonRetryable: true,
        message: 'continuation: internal state written by continue-as-new; do not set it',
      }),
    );
  }
  const roleChain = params.OOSAssumeRole;
  const regionId = params.regionId;
  const rateControl = params.rateControl ?? DEFAULT_RATE_CONTROL;
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const command: CommandSpec = {
    commandType: params.commandType,
    commandContent: params.commandContent,
    workingDir: params.workingDir,
    username: params.username,
    windowsPasswordName: params.windowsPasswordName,
    timeout: params.timeout,
    enableParameter: params.enableParameter,
    parameters: params.parameters,
  };
  let sequence = 0;
  let stopSent = false;
  const resourceIds = params.targets.Type === 'ResourceIds' ? [...new Set(params.targets.ResourceIds)] : undefined;
  // The continuation carries the missing ResourceIds as a mask of one hex digit per four ids.
  const room = ledgerRoom(input, PAYLOAD_BUDGET) - Math.ceil((resourceIds?.length ?? 0) / 4);

  const carried = params.continuation as BulkyContinuation | BulkyContinuationV1 | undefined;
  if (carried) {
    // A continued run: pick up exactly where the previous run stopped.
    ({ accountId, missing, next, sequence, stopSent } = carried);
    if ('expectedDurationMs' in carried) expectedDurationMs = carried.expectedDurationMs;
    if ('missingMask' in carried && carried.missingMask !== undefined && resourceIds) {
      missing = decodeSubset(resourceIds, carried.missingMask);
    }
    queue = carried.instanceIds ?? selectedResourceIds(params, missing);
    const all = [...queue, ...missing];
    if ('ledger' in carried) {
      ledger = new InstanceLedger(all, room, carried.ledger);
    } else {
      ledger = new InstanceLedger(all, room);
      for (const r of carried.results) {
        if (r.status === 'Running') ledger.sending([r.instanceId]);
        if (r.status === 'Running' && r.invokeId) ledger.sent([r.instanceId], r.invokeId);
        if (r.status !== 'Running') ledger.finish(r);
      }
    }
    for (const [invokeId, ids] of ledger.running()) inflight.set(invokeId, new Set(ids));
    window = new RateWindow(all.length, rateControl, carried.window);
    // A pause or resume sent while the previous run was handing over lands in this run's first task.
    const early = control.early();
    if (early && patched(EARLY_SIGNALS_IN_CONTINUED_RUN)) {
      if (early === 'pause') window.pause();
      else window.resume();
    }
  } else {
    phase = 'SelectingTargets';
    const selection = await selectTargets(params).catch(failEarly);
    accountId = selection.accountId;
    queue = selection.instanceIds;
    missing = selection.missing;
    ledger = new InstanceLedger([...queue, ...missing], room);
    window = new RateWindow(queue.length + missing.length, rateControl);
    if (control.pausedEarly()) window.pause();
    for (const id of missing) {
      ledger.finish(notRun(id, 'Invalid', 'InstanceNotExists', 'The specified instance does not exist'));
    }
    window.addErrors(missing.length);
  }
  const win = window;
  const book = ledger;

  const finish = (result: InstanceResult) => {
    if (book.finish(result)) win.finish(isErrorStatus(result.status));
  };

  const dispatch = async (instanceIds: string[]) => {
    book.sending(instanceIds);
    try {
      const { invokeId, sentAtMs } = await cloudCalls.runCommand({
        roleChain,
        regionId,
        instanceIds,
        command,
        dispatch: { workflowId, firstRunId: firstExecutionRunId, sequence: sequence++ },
      });
      inflight.set(invokeId, new Set(instanceIds));
      if (sentAtMs !== undefined) sentAt.set(invokeId, sentAtMs);
      book.sent(instanceIds, invokeId);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const cause = (err as ApplicationFailure).cause as ApplicationFailure | undefined;
      const code = (cause?.details?.[0] as { code?: string } | undefined)?.code;
      // The cloud refuses a whole call when one of its instances is gone or of the wrong OS; no invocation
      // was created, so send each instance on its own (new dispatches, new tokens): only the bad one fails.
      if (instanceIds.length > 1 && code !== undefined && PER_INSTANCE_REFUSALS.has(code)) {
        await Promise.all(instanceIds.map((id) => dispatch([id])));
        return;
      }
      // The cloud refused the call itself: each of its instances ends as Error with the cloud's answer.
      const info = cause?.message ?? (err as Error).message;
      for (const id of instanceIds) finish(notRun(id, 'Error', code ?? 'RunCommandFailed', info));
    }
  };

  const applyFinished = (finished: InstanceResult[]) => {
    for (const result of finished) {
      const pending = result.invokeId ? inflight.get(result.invokeId) : undefined;
      if (!pending?.delete(result.instanceId)) continue; // already known
      if (pending.size === 0) {
        inflight.delete(result.invokeId!);
        sentAt.delete(result.invokeId!);
      }
      finish(result);
    }
  };

  const canStartMore = () => !root.consideredCancelled && next < queue.length && win.available() > 0;

  const pollOnce = async (maxWaitMs: number, wakeOnSlot: boolean) => {
    const invocations = [...inflight].map(([invokeId, ids]) => {
      const sentAtMs = sentAt.get(invokeId);
      return { invokeId, instanceIds: [...ids], ...(sentAtMs === undefined ? {} : { sentAtMs }) };
    });
    let finished: InstanceResult[] = [];
    await CancellationScope.cancellable(async () => {
      const poll = polling
        .pollInvocations({
          roleChain,
          regionId,
          invocations,
          pollIntervalMs: Math.round(params.pollIntervalSeconds * 1000),
          ...(expectedDurationMs === undefined ? {} : { expectedDurationMs }),
          maxWaitMs,
          outputMaxBytes: params.outputMaxBytes,
        })
        .then((r) => {
          finished = r.finished;
          if (r.shortestSeenMs !== undefined) {
            expectedDurationMs = Math.min(expectedDurationMs ?? Infinity, r.shortestSeenMs);
          }
        });
      // A resume or a raised concurrency frees slots while the poll waits: stop waiting and dispatch.
      const waits = wakeOnSlot ? [poll, condition(canStartMore)] : [poll];
      await Promise.race(waits);
      CancellationScope.current().cancel();
      await Promise.allSettled(waits);
    });
    applyFinished(finished);
  };

  const stopInflight = async () => {
    stopSent = true;
    phase = 'Stopping';
    await Promise.all(
      [...inflight].map(([invokeId, ids]) =>
        cloudCalls.stopInvocation({ roleChain, regionId, invokeId, instanceIds: [...ids] }),
      ),
    );
  };

  const historyIsLong = () => {
    const info = workflowInfo();
    return params.continueAsNewAfterEvents > 0
      ? info.historyLength >= params.continueAsNewAfterEvents
      : info.continueAsNewSuggested;
  };

  phase = 'Running';
  try {
    for (;;) {
      const batches: string[][] = [];
      while (canStartMore()) {
        const take = Math.min(win.available(), params.instancesPerCall, queue.length - next);
        batches.push(queue.slice(next, next + take));
        next += take;
        win.start(take);
      }
      await Promise.all(batches.map(dispatch));
      if (win.tripped && params.stopOnMaxErrors && !stopSent && inflight.size > 0) await stopInflight();
      if (root.consideredCancelled) throw new CancelledFailure('cancelled');
      if (inflight.size === 0) {
        if (next >= queue.length || win.tripped) break;
        await condition(() => canStartMore() || root.consideredCancelled); // paused, or between waves
        continue;
      }
      if (historyIsLong()) {
        // Nothing is mid-dispatch here: every running invocation is recorded in the carried state.
        await condition(allHandlersFinished);
        await continueAsNew<typeof bulkyRunCommand>({
          ...input,
          continuation: carry() as unknown as BulkyRunCommandInput['continuation'],
        });
      }
      await pollOnce(POLL_MAX_WAIT_MS, true);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled (e.g. the parent was): stop what runs, learn how each instance ended, report it.
    await CancellationScope.nonCancellable(async () => {
      if (inflight.size > 0) await stopInflight();
      for (let round = 0; round < POLLS_AFTER_STOP && inflight.size > 0; round++) await pollOnce(10_000, false);
    });
    const result = end('Cancelled');
    throw ApplicationFailure.create({
      type: RUN_CANCELLED,
      nonRetryable: true,
      message: `cancelled in account ${accountId} region ${regionId} (${describeCounts(result)})`,
      details: [result],
    });
  }

  if (win.tripped) {
    const result = end('Failed');
    throw ApplicationFailure.create({
      type: MAX_ERRORS_EXCEEDED,
      nonRetryable: true,
      message: `MaxErrors exceeded in account ${accountId} region ${regionId}: ${errorCount(result.counts)} errors > MaxErrors ${win.maxErrors} (${describeCounts(result)})`,
      details: [result],
    });
  }
  return end(errorCount(book.counts()) === 0 ? 'Success' : 'PartialFailed');

  function carry(): BulkyContinuation {
    return {
      accountId,
      instanceIds: resourceIds ? undefined : queue,
      // (A run whose selection listed an id twice, before ids were deduplicated, carries the list itself.)
      ...(resourceIds && new Set(missing).size === missing.length
        ? { missing: [], missingMask: encodeSubset(resourceIds, missing) }
        : { missing }),
      next,
      ledger: book.state(),
      sequence,
      window: win.state,
      stopSent,
      ...(expectedDurationMs === undefined ? {} : { expectedDurationMs }),
    };
  }

  /**
   * Ends the run: keeps the full result for the `result` query and returns what this execution reports
   * (for a parent, only counts: 500 full results would overflow the parent's history).
   */
  function end(status: RunStatus): BulkyRunCommandResult {
    phase = 'Done';
    book.recordUnfinished();
    const instances = book.detailed();
    finalResult = {
      accountId,
      regionId,
      status,
      counts: book.counts(),
      instances,
      commandOutputs: instances.filter((i) => i.invokeId !== null).map((i) => i.output),
      instancesOmitted: book.omitted,
      roster: book.roster(),
    };
    if (params.returnInstances) return finalResult;
    return { ...finalResult, instances: [], commandOutputs: [], instancesOmitted: book.size, roster: null };
  }
}

/** The instances a ResourceIds run selected, as selectTargets orders them: existing ids, sorted. */
function selectedResourceIds(params: BulkyRunCommandParams, missing: string[]): string[] {
  if (params.targets.Type !== 'ResourceIds') throw new Error('continuation: instanceIds missing');
  const gone = new Set(missing);
  return [...new Set(params.targets.ResourceIds.filter((id) => !gone.has(id)))].sort();
}

/** Target selection; the cloud's own refusal (RoleChainDenied, ...) becomes this workflow's failure. */
async function selectTargets(params: BulkyRunCommandParams) {
  try {
    return await cloudCalls.selectTargets({
      roleChain: params.OOSAssumeRole,
      regionId: params.regionId,
      targets: params.targets,
    });
  } catch (err) {
    const cause = (err as ActivityFailure).cause;
    if (err instanceof ActivityFailure && cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({
        type: cause.type ?? undefined,
        message: cause.message,
        nonRetryable: true,
        details: cause.details ? [...cause.details] : undefined,
      });
    }
    throw err;
  }
}

function notRun(
  instanceId: string,
  status: InstanceResult['status'],
  errorCode: string,
  errorInfo: string,
): InstanceResult {
  return {
    instanceId,
    invokeId: null,
    status,
    exitCode: null,
    errorCode,
    errorInfo,
    output: '',
    outputTruncated: false,
    dropped: 0,
    startTime: null,
    finishedTime: null,
  };
}

function describeCounts(result: Pick<BulkyRunCommandResult, 'counts'>): string {
  const c = result.counts;
  return `total ${c.total}, success ${c.success}, failed ${c.failed}, cancelled ${c.cancelled}, skipped ${c.skipped}`;
}
