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
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CommandSpec } from '../activities';
import { MAX_ERRORS_EXCEEDED, RUN_CANCELLED } from '../contract/errors';
import type { BulkyRunCommandInput, BulkyRunCommandParams } from '../contract/input';
import type { ChildProgress } from '../contract/progress';
import { DEFAULT_RATE_CONTROL } from '../contract/rateControl';
import {
  countStatus,
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
import { progressQuery } from './messages';
import { RateWindow, type RateWindowState } from './rateWindow';

/** Rounds of polling after a cancel, to learn what the stopped instances did. */
const POLLS_AFTER_STOP = 5;
/** RunCommand refusals caused by one instance of the call (it was released, or its OS does not fit). */
const PER_INSTANCE_REFUSALS = new Set([
  'InvalidInstance.NotFound',
  'InvalidInstance.NotMatch',
  'InvalidInstanceStatus',
]);
/** Output characters kept in the result over all instances; past it outputs stay in the cloud (flagged). */
const RESULT_OUTPUT_BUDGET = 256 * 1024;

/** Everything a run hands to the next one on continue-as-new. */
export interface BulkyContinuation {
  accountId: string;
  /** Selected instances in dispatch order, then the ResourceIds that do not exist. */
  instanceIds: string[];
  missing: string[];
  /** Index in instanceIds of the next instance to dispatch. */
  next: number;
  /** Every instance that was dispatched (Running until its result is known) or is missing. */
  results: InstanceResult[];
  inflight: { invokeId: string; instanceIds: string[] }[];
  sequence: number;
  window: RateWindowState;
  stopSent: boolean;
  outputBytes: number;
}

export async function bulkyRunCommand(input: BulkyRunCommandInput): Promise<BulkyRunCommandResult> {
  const root = CancellationScope.current();
  let phase: ChildProgress['phase'] = 'Validating';
  let window: RateWindow | undefined;
  let accountId = '';
  const results = new Map<string, InstanceResult>();
  const inflight = new Map<string, Set<string>>(); // invokeId → instances without a result yet
  let queue: string[] = [];
  let missing: string[] = [];
  let next = 0;

  const control = registerControlHandlers(() => window);
  setHandler(progressQuery, (): ChildProgress => {
    const counts = { ...emptyCounts(queue.length + missing.length), running: 0, pending: queue.length - next };
    for (const r of results.values()) {
      if (r.status === 'Running') counts.running++;
      else countStatus(counts, r.status);
    }
    return {
      phase,
      accountId,
      regionId: input.regionId,
      counts,
      rateControl: rateControlView(window ?? new RateWindow(0, DEFAULT_RATE_CONTROL)),
      invocations: inflight.size,
    };
  });

  const params = validatedOrFail(() => validateBulkyInput(input));
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
  let outputBytes = 0;

  const carried = params.continuation as BulkyContinuation | undefined;
  if (carried) {
    // A continued run: pick up exactly where the previous run stopped.
    ({ accountId, missing, next, sequence, stopSent, outputBytes } = carried);
    queue = carried.instanceIds;
    for (const r of carried.results) results.set(r.instanceId, r);
    for (const inv of carried.inflight) inflight.set(inv.invokeId, new Set(inv.instanceIds));
    window = new RateWindow(queue.length + missing.length, rateControl, carried.window);
  } else {
    phase = 'SelectingTargets';
    const selection = await selectTargets(params);
    accountId = selection.accountId;
    queue = selection.instanceIds;
    missing = selection.missing;
    window = new RateWindow(queue.length + missing.length, rateControl);
    if (control.pausedEarly()) window.pause();
    for (const id of missing) {
      results.set(id, notRun(id, 'Invalid', 'InstanceNotExists', 'The specified instance does not exist'));
    }
    window.addErrors(missing.length);
  }
  const win = window;

  const finish = (result: InstanceResult) => {
    results.set(result.instanceId, result);
    win.finish(isErrorStatus(result.status));
  };

  const dispatch = async (instanceIds: string[]) => {
    for (const id of instanceIds) results.set(id, notRun(id, 'Running', '', ''));
    try {
      const { invokeId } = await cloudCalls.runCommand({
        roleChain,
        regionId,
        instanceIds,
        command,
        dispatch: { workflowId, firstRunId: firstExecutionRunId, sequence: sequence++ },
      });
      inflight.set(invokeId, new Set(instanceIds));
      for (const id of instanceIds) results.get(id)!.invokeId = invokeId;
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
      if (pending.size === 0) inflight.delete(result.invokeId!);
      // Past the budget the output stays in the cloud (DescribeInvocationResults) and is flagged here.
      if (outputBytes + result.output.length > RESULT_OUTPUT_BUDGET && result.output !== '') {
        result.output = '';
        result.outputTruncated = true;
      }
      outputBytes += result.output.length;
      finish(result);
    }
  };

  const canStartMore = () => !root.consideredCancelled && next < queue.length && win.available() > 0;

  const pollOnce = async (maxWaitMs: number, wakeOnSlot: boolean) => {
    const invocations = [...inflight].map(([invokeId, ids]) => ({ invokeId, instanceIds: [...ids] }));
    let finished: InstanceResult[] = [];
    await CancellationScope.cancellable(async () => {
      const poll = polling
        .pollInvocations({
          roleChain,
          regionId,
          invocations,
          pollIntervalMs: Math.round(params.pollIntervalSeconds * 1000),
          maxWaitMs,
          outputMaxBytes: params.outputMaxBytes,
        })
        .then((r) => {
          finished = r.finished;
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
    phase = 'Done';
    const result = buildResult('Cancelled');
    throw ApplicationFailure.create({
      type: RUN_CANCELLED,
      nonRetryable: true,
      message: `cancelled in account ${accountId} region ${regionId} (${describeCounts(result)})`,
      details: [result],
    });
  }

  phase = 'Done';
  if (win.tripped) {
    const result = buildResult('Failed');
    throw ApplicationFailure.create({
      type: MAX_ERRORS_EXCEEDED,
      nonRetryable: true,
      message: `MaxErrors exceeded in account ${accountId} region ${regionId}: ${errorCount(result.counts)} errors > MaxErrors ${win.maxErrors} (${describeCounts(result)})`,
      details: [result],
    });
  }
  const result = buildResult('Success');
  result.status = errorCount(result.counts) === 0 ? 'Success' : 'PartialFailed';
  return result;

  function carry(): BulkyContinuation {
    return {
      accountId,
      instanceIds: queue,
      missing,
      next,
      results: [...results.values()],
      inflight: [...inflight].map(([invokeId, ids]) => ({ invokeId, instanceIds: [...ids] })),
      sequence,
      window: win.state,
      stopSent,
      outputBytes,
    };
  }

  function buildResult(status: RunStatus): BulkyRunCommandResult {
    const instances = [...queue, ...missing].map((id) => results.get(id) ?? notRun(id, 'Skipped', '', ''));
    const counts = emptyCounts(instances.length);
    for (const i of instances) countStatus(counts, i.status);
    return {
      accountId,
      regionId,
      status,
      counts,
      instances,
      commandOutputs: instances.filter((i) => i.invokeId !== null).map((i) => i.output),
    };
  }
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

function describeCounts(result: BulkyRunCommandResult): string {
  const c = result.counts;
  return `total ${c.total}, success ${c.success}, failed ${c.failed}, cancelled ${c.cancelled}, skipped ${c.skipped}`;
}
