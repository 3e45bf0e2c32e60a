// The Cloud Assistant status machine for each instance of an invocation:
// Pending → (delivery) → Running → Success | Failed | Timeout | Error, or Aborted at delivery
// (instance not Running / released / agent offline / a flapping agent not back in time);
// StopInvocation → Cancelled (pending) | Terminated (running); the instance stopping or being released
// while the command runs → Error (InstanceNotRunning / InstanceReleased).
import type { Audit } from './audit';
import { execShell, Scratch, simulate, type RunResult } from './executor';
import type { FaultState } from './faults';
import type { Instance, Invocation, InvocationInstance, Region } from './model';
import { simulatedOutput } from './output';
import { pick, type Rng } from './prng';
import { AGENT_STATES, INSTANCE_STATUSES, type AgentState, type InstanceStatus } from './scenario';
import { substitute } from './substitute';

/** The documented ErrorInfo of each per-instance ErrorCode (reference §2.3). */
export const ERROR_INFO: Record<string, string> = {
  InstanceNotExists: 'The specified instance does not exist',
  InstanceReleased: 'The specified instance was released during task execution',
  InstanceNotRunning: 'The specified instance was not running during task execution',
  ClientNotRunning: 'The aliyun service is not running on the instance',
  DeliveryTimeout: 'The command delivery has been timeout',
  ExecutionTimeout: 'The command execution has been timeout',
  ExecutionException: 'The command execution got an exception',
  ExitCodeNonzero: 'The command execution exit code is not zero',
};

/** A runtime change of an instance (setInstance, POST /_emulator/instance, faults.instanceEvents). */
export interface InstancePatch {
  status?: InstanceStatus;
  agent?: AgentState;
  /** Release the instance: it disappears from every API; its commands end InstanceReleased. */
  released?: boolean;
}

export class Engine {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<InvocationInstance>();
  private readonly scratch = new Scratch();
  private readonly firedEvents = new WeakSet<object>();

  constructor(
    private readonly mode: 'exec' | 'simulate',
    private readonly rng: Rng,
    private readonly audit: Audit,
    private readonly faults: FaultState,
  ) {}

  /** Schedules delivery of a new invocation to its instances. */
  dispatch(region: Region, inv: Invocation): void {
    const delay = pick(this.rng, this.faults.get().deliveryDelayMs, 0);
    this.later(delay, () => {
      const started = Date.now();
      for (const rec of inv.instances) this.deliver(region, inv, rec, started);
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Delivers to one instance; a flapping agent that is offline is waited for up to the delivery timeout. */
  private deliver(region: Region, inv: Invocation, rec: InvocationInstance, started: number): void {
    if (rec.status !== 'Pending') return; // cancelled meanwhile
    const now = Date.now();
    const inst = region.instancesById.get(rec.instanceId);
    if (!inst) return this.finish(rec, now, 'Aborted', 0, 'InstanceReleased'); // released since RunCommand
    if (inst.status !== 'Running') return this.finish(rec, now, 'Aborted', 0, 'InstanceNotRunning');
    if (inst.agent === 'offline') return this.finish(rec, now, 'Aborted', 0, 'ClientNotRunning');
    const backIn = this.faults.agentBackIn(inst.id, inst.agent, now);
    if (backIn === 0) return this.run(region, inv, inst, rec, now);
    const left = started + this.faults.deliveryTimeoutMs() - now;
    if (left <= 0) return this.finish(rec, now, 'Aborted', 0, 'DeliveryTimeout');
    this.later(Math.min(backIn, left), () => this.deliver(region, inv, rec, started));
  }

  private run(region: Region, inv: Invocation, inst: Instance, rec: InvocationInstance, now: number): void {
    rec.status = 'Running';
    rec.startTime = now;
    rec.updateTime = now;
    inst.invocationCount++;
    inst.activeTaskCount++;
    inst.lastInvokedTime = now;
    rec.execution = this.audit.execution({
      accountId: region.accountId,
      regionId: region.regionId,
      instanceId: inst.id,
      invokeId: inv.invokeId,
      startTime: now,
      finishTime: null,
      exitCode: null,
      status: 'Running',
    });
    this.running.add(rec);
    const timeoutMs = inv.timeout * 1000;
    const done = (r: RunResult): void => this.complete(inv, inst, rec, r);
    const shell = this.mode === 'exec' && inv.commandType === 'RunShellScript' && inst.osType === 'linux';
    if (shell) {
      const script = inv.enableParameter
        ? substitute(inv.content, inv.parameters, {
            InstanceId: inst.id,
            RegionId: region.regionId,
            AccountId: region.accountId,
            InstanceName: inst.name,
            InvokeId: inv.invokeId,
            CommandId: inv.commandId,
          })
        : inv.content;
      const cwd = this.scratch.dir(inst.id);
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, LANG: 'C.UTF-8' };
      rec.cancel = execShell(script, cwd, env, timeoutMs, done);
    } else {
      rec.simOutput = inst.behavior ?? {};
      rec.cancel = simulate(inst.behavior, timeoutMs, this.rng, done);
    }
    const event = this.faults.get().instanceEvents?.[inst.id];
    if (event && !this.firedEvents.has(event)) {
      this.firedEvents.add(event); // once per event object: setting instanceEvents again re-arms it
      this.later(event.afterRunMs, () => {
        const patch: InstancePatch =
          event.event === 'stop'
            ? { status: 'Stopped' }
            : event.event === 'release'
              ? { released: true }
              : { agent: event.event === 'agentOffline' ? 'offline' : 'flapping' };
        if (!inst.released) this.patchInstance(region, inst, patch);
      });
    }
  }

  /**
   * Applies a runtime change to an instance. Stopping or releasing it ends the commands running on it
   * (Error, with InstanceNotRunning / InstanceReleased); pending deliveries see the new state when they
   * happen. An agent going offline does not end running commands (their process goes on).
   */
  patchInstance(region: Region, inst: Instance, patch: InstancePatch): void {
    if (patch.status !== undefined && !INSTANCE_STATUSES.includes(patch.status)) {
      throw new Error(`invalid status ${String(patch.status)}`);
    }
    if (patch.agent !== undefined && !AGENT_STATES.includes(patch.agent)) {
      throw new Error(`invalid agent ${String(patch.agent)}`);
    }
    if (patch.agent !== undefined) inst.agent = patch.agent;
    if (patch.status !== undefined) inst.status = patch.status;
    let errorCode: string | undefined;
    if (patch.released) {
      inst.released = true;
      region.instancesById.delete(inst.id);
      const i = region.instances.indexOf(inst);
      if (i >= 0) region.instances.splice(i, 1);
      errorCode = 'InstanceReleased';
    } else if (patch.status !== undefined && patch.status !== 'Running') {
      errorCode = 'InstanceNotRunning';
    }
    if (errorCode === undefined) return;
    const now = Date.now();
    for (const rec of [...this.running]) {
      const ex = rec.execution;
      if (rec.instanceId !== inst.id || ex?.accountId !== region.accountId || ex.regionId !== region.regionId) continue;
      rec.cancel?.();
      inst.activeTaskCount--;
      this.finish(rec, now, 'Error', -1, errorCode);
    }
  }

  private complete(inv: Invocation, inst: Instance, rec: InvocationInstance, r: RunResult): void {
    if (rec.status !== 'Running') return; // stopped meanwhile
    inst.activeTaskCount--;
    if (r.output) rec.output = r.output;
    rec.dropped = r.output ? r.dropped : simulatedOutput(rec.simOutput ?? {}).dropped;
    const start = rec.startTime ?? Date.now();
    if (r.error !== undefined) this.finish(rec, Date.now(), 'Error', r.exitCode, 'ExecutionException');
    else if (r.timedOut) this.finish(rec, start + inv.timeout * 1000, 'Timeout', r.exitCode, 'ExecutionTimeout');
    else if (r.exitCode !== 0) this.finish(rec, Date.now(), 'Failed', r.exitCode, 'ExitCodeNonzero');
    else this.finish(rec, Date.now(), 'Success', 0, '');
  }

  private finish(
    rec: InvocationInstance,
    at: number,
    status: InvocationInstance['status'],
    exitCode: number,
    errorCode: string,
  ): void {
    rec.status = status;
    rec.exitCode = exitCode;
    rec.errorCode = errorCode;
    rec.errorInfo = ERROR_INFO[errorCode] ?? '';
    rec.finishTime = at;
    rec.updateTime = Date.now();
    rec.cancel = undefined;
    this.running.delete(rec);
    if (rec.execution) {
      rec.execution.finishTime = at;
      rec.execution.exitCode = exitCode;
      rec.execution.status = status;
    }
  }

  /** StopInvocation: pending instances never run (Cancelled); running ones are killed (Terminated). */
  stop(region: Region, inv: Invocation, instanceIds: string[] | undefined): void {
    const now = Date.now();
    for (const rec of inv.instances) {
      if (instanceIds && !instanceIds.includes(rec.instanceId)) continue;
      if (rec.status === 'Pending') {
        rec.stopTime = now;
        this.finish(rec, now, 'Cancelled', 0, '');
      } else if (rec.status === 'Running') {
        rec.cancel?.();
        rec.stopTime = now;
        const inst = region.instancesById.get(rec.instanceId);
        if (inst) inst.activeTaskCount--;
        this.finish(rec, now, 'Terminated', -1, '');
      }
    }
  }

  runningCount(): number {
    return this.running.size;
  }

  /** Cancels every timer and kills every running command. */
  shutdown(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const rec of this.running) rec.cancel?.();
    this.running.clear();
    this.scratch.removeAll();
  }
}
