// The Cloud Assistant status machine for each instance of an invocation:
// Pending → (delivery) → Running → Success | Failed | Timeout | Error, or Aborted at delivery
// (instance not Running / agent offline); StopInvocation → Cancelled (pending) | Terminated (running).
import type { Audit } from './audit';
import { execShell, Scratch, simulate, type RunResult } from './executor';
import type { FaultState } from './faults';
import type { Instance, Invocation, InvocationInstance, Region } from './model';
import { simulatedOutput } from './output';
import { pick, type Rng } from './prng';
import { substitute } from './substitute';

const ERROR_INFO: Record<string, string> = {
  InstanceNotRunning: 'The specified instance was not running during task execution',
  ClientNotRunning: 'The aliyun service is not running on the instance',
  ExecutionTimeout: 'The command execution has been timeout',
  ExecutionException: 'The command execution got an exception',
  ExitCodeNonzero: 'The command execution exit code is not zero',
};

export class Engine {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<InvocationInstance>();
  private readonly scratch = new Scratch();

  constructor(
    private readonly mode: 'exec' | 'simulate',
    private readonly rng: Rng,
    private readonly audit: Audit,
    private readonly faults: FaultState,
  ) {}

  /** Schedules delivery of a new invocation to its instances. */
  dispatch(region: Region, inv: Invocation): void {
    const delay = pick(this.rng, this.faults.get().deliveryDelayMs, 0);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.deliver(region, inv);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private deliver(region: Region, inv: Invocation): void {
    for (const rec of inv.instances) {
      if (rec.status !== 'Pending') continue; // cancelled meanwhile
      const inst = region.instancesById.get(rec.instanceId);
      if (!inst) continue; // instances are never deleted; RunCommand validated them
      const now = Date.now();
      if (inst.status !== 'Running') this.finish(rec, now, 'Aborted', 0, 'InstanceNotRunning');
      else if (inst.agent !== 'online') this.finish(rec, now, 'Aborted', 0, 'ClientNotRunning');
      else this.run(region, inv, inst, rec, now);
    }
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
