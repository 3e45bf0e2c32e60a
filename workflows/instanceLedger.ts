// Per-instance state of one bulkyRunCommand run: each instance's status and invoke id, plus detailed
// records (exit code, output, times) for as many instances as fit a byte budget. Everything it holds goes
// into payloads (continue-as-new input, result), so it is kept compact: ~25 bytes per instance for the
// roster, and details only within the room left under Temporal's 256 KB payload warning. When room runs
// out, failures keep their detail before successes (an operator acts on failures); what is dropped stays
// in the cloud (DescribeInvocationResults). Pure and deterministic: runs inside the workflow sandbox.
import { encodeInvocations, decodeInvocations, statusOfLetter, STATUS_LETTERS } from '../contract/instanceRoster';
import type { InstanceRoster } from '../contract/instanceRoster';
import { jsonBytes, utf8Length } from '../contract/utf8';
import {
  countStatus,
  emptyCounts,
  isErrorStatus,
  isFinalStatus,
  type Counts,
  type InstanceResult,
  type InstanceStatus,
} from '../contract/results';

/** What a run hands to the next one on continue-as-new (instance ids travel beside it). */
export interface LedgerState {
  statuses: string;
  invocations: [string, number][];
  details: InstanceResult[];
}

/** Estimated bytes that make it worth measuring the invocations' exact size again. */
const SETTLE_AFTER_BYTES = 2048;

export class InstanceLedger {
  private readonly indexOf = new Map<string, number>();
  private readonly statuses: InstanceStatus[];
  private readonly invokeIds: (string | null)[];
  /** Kept records by instance index; insertion order is eviction order. */
  private readonly details = new Map<number, InstanceResult>();
  private readonly sizes = new Map<number, number>();
  private detailBytes = 0;
  /** Kept successes (oldest first) and their bytes: what a failure may take their room from. */
  private readonly successes = new Set<number>();
  private successBytes = 0;
  /** Kept failures that still have output, with the bytes dropping it would save. */
  private readonly failuresWithOutput = new Map<number, number>();
  private outputSavings = 0;
  private invocationBytes = 0;
  /** Bytes of invocationBytes that are an estimate (added since it was last measured exactly). */
  private unsettled = 0;
  private readonly idBytes: number;

  /**
   * @param instanceIds every instance, in instance order
   * @param room bytes this ledger may take in a payload (roster and details together)
   */
  constructor(
    readonly instanceIds: readonly string[],
    private readonly room: number,
    state?: LedgerState,
  ) {
    instanceIds.forEach((id, i) => this.indexOf.set(id, i));
    // 512: the JSON around the roster and the records (field names, brackets).
    this.idBytes = instanceIds.reduce((sum, id) => sum + utf8Length(id) + 3, 512);
    if (!state) {
      // Not sent yet; an instance still unsent when the run ends was skipped.
      this.statuses = instanceIds.map(() => 'Skipped');
      this.invokeIds = instanceIds.map(() => null);
      return;
    }
    this.statuses = [...state.statuses].map(statusOfLetter);
    this.invokeIds = decodeInvocations(state.invocations);
    if (this.statuses.length !== instanceIds.length || this.invokeIds.length !== instanceIds.length) {
      throw new Error(`ledger: carried state has ${this.statuses.length} statuses for ${instanceIds.length} instances`);
    }
    this.settleInvocationBytes();
    for (const record of state.details) this.keep(this.indexOf.get(record.instanceId)!, record);
  }

  get size(): number {
    return this.instanceIds.length;
  }

  statusOf(instanceId: string): InstanceStatus | undefined {
    const i = this.indexOf.get(instanceId);
    return i === undefined ? undefined : this.statuses[i];
  }

  /** The instances are being sent (no invoke id yet). */
  sending(instanceIds: readonly string[]): void {
    for (const id of instanceIds) this.statuses[this.index(id)] = 'Running';
  }

  /** The cloud accepted them as one invocation. */
  sent(instanceIds: readonly string[], invokeId: string): void {
    for (const id of instanceIds) this.invokeIds[this.index(id)] = invokeId;
    // An upper bound (its own run, and a run of unsent ones after it); settled exactly when room is short.
    this.invocationBytes += utf8Length(invokeId) + 20;
    this.unsettled += utf8Length(invokeId) + 20;
    this.fitRoom();
  }

  /** Records an instance's final result; false when it already had one. */
  finish(result: InstanceResult): boolean {
    const i = this.index(result.instanceId);
    const current = this.statuses[i]!;
    if (isFinalStatus(current) && current !== 'Skipped') return false;
    this.statuses[i] = result.status;
    this.invokeIds[i] = result.invokeId ?? this.invokeIds[i]!;
    this.keep(i, result);
    return true;
  }

  /** Instances sent and not final yet, by invocation (what polling must still ask about). */
  running(): Map<string, string[]> {
    const byInvocation = new Map<string, string[]>();
    this.statuses.forEach((status, i) => {
      const invokeId = this.invokeIds[i];
      if (isFinalStatus(status) || !invokeId) return;
      const ids = byInvocation.get(invokeId) ?? [];
      ids.push(this.instanceIds[i]!);
      byInvocation.set(invokeId, ids);
    });
    return byInvocation;
  }

  /** Counts by status; not-final ones are `running`, unsent ones count as skipped. */
  tally(): { counts: Counts; running: number } {
    const counts = emptyCounts(this.size);
    let running = 0;
    for (const status of this.statuses) {
      if (isFinalStatus(status)) countStatus(counts, status);
      else running++;
    }
    return { counts, running };
  }

  /** Counts of a finished run: an instance whose end is unknown (cancelled while running) is cancelled. */
  counts(): Counts {
    const counts = emptyCounts(this.size);
    for (const status of this.statuses) countStatus(counts, status);
    return counts;
  }

  /**
   * At the end of a run: a record for each instance that has none because it never got a result (unsent:
   * Skipped; still running when a cancelled run stopped polling), as room allows.
   */
  recordUnfinished(): void {
    this.statuses.forEach((status, i) => {
      if (this.details.has(i) || (isFinalStatus(status) && status !== 'Skipped')) return;
      const instanceId = this.instanceIds[i]!;
      this.keep(i, {
        instanceId,
        invokeId: this.invokeIds[i]!,
        status,
        exitCode: null,
        errorCode: '',
        errorInfo: '',
        output: '',
        outputTruncated: false,
        dropped: 0,
        startTime: null,
        finishedTime: null,
      });
    });
  }

  /** Detailed records, in instance order; instances without one are only in the roster. */
  detailed(): InstanceResult[] {
    return [...this.details.keys()].sort((a, b) => a - b).map((i) => this.details.get(i)!);
  }

  get omitted(): number {
    return this.size - this.details.size;
  }

  roster(): InstanceRoster {
    return {
      instanceIds: [...this.instanceIds],
      statuses: this.statuses.map((s) => STATUS_LETTERS[s]).join(''),
      invocations: encodeInvocations(this.invokeIds),
    };
  }

  state(): LedgerState {
    const { statuses, invocations } = this.roster();
    return { statuses, invocations, details: [...this.details.values()] };
  }

  /** Bytes the roster and details take now (an upper bound of their JSON size). */
  get bytes(): number {
    return this.idBytes + this.size + this.invocationBytes + this.detailBytes;
  }

  private index(instanceId: string): number {
    const i = this.indexOf.get(instanceId);
    if (i === undefined) throw new Error(`ledger: unknown instance ${instanceId}`);
    return i;
  }

  private fits(extra: number): boolean {
    if (this.bytes + extra <= this.room) return true;
    // Measuring is O(instances): only once enough of the estimate has piled up to be worth it.
    if (this.unsettled < SETTLE_AFTER_BYTES) return false;
    this.settleInvocationBytes();
    return this.bytes + extra <= this.room;
  }

  /** Replaces the running upper bound of the invocations' bytes by their exact JSON size. */
  private settleInvocationBytes(): void {
    this.invocationBytes = jsonBytes(encodeInvocations(this.invokeIds));
    this.unsettled = 0;
  }

  /**
   * Keeps the record's detail if it fits. A failure makes room first by evicting successes, then by
   * giving up outputs (its own, then other failures'), and is left out only when failures without
   * output fill the room. Constant time per record (running totals), so 5,000 at once stay cheap.
   */
  private keep(index: number, record: InstanceResult): void {
    this.drop(index);
    let candidate = record;
    const isFailure = isErrorStatus(record.status);
    const smallest = detailBytes(withoutOutput(record));
    // Give nothing up for a record that will not fit anyway.
    const freeable = isFailure ? this.successBytes + this.outputSavings : 0;
    if (!this.fits(smallest - freeable)) return;
    while (!this.fits(detailBytes(candidate))) {
      if (isFailure && this.evictSuccess()) continue;
      if (candidate.output !== '') {
        candidate = withoutOutput(candidate);
        continue;
      }
      if (isFailure && this.stripOneOutput()) continue;
      return;
    }
    this.add(index, candidate);
  }

  private add(index: number, record: InstanceResult): void {
    const size = detailBytes(record);
    this.details.set(index, record);
    this.sizes.set(index, size);
    this.detailBytes += size;
    if (!isErrorStatus(record.status)) {
      this.successes.add(index);
      this.successBytes += size;
    } else if (record.output !== '') {
      const saving = size - detailBytes(withoutOutput(record));
      this.failuresWithOutput.set(index, saving);
      this.outputSavings += saving;
    }
  }

  private drop(index: number): void {
    const size = this.sizes.get(index);
    if (size === undefined) return;
    this.details.delete(index);
    this.sizes.delete(index);
    this.detailBytes -= size;
    if (this.successes.delete(index)) this.successBytes -= size;
    const saving = this.failuresWithOutput.get(index);
    if (saving !== undefined) {
      this.failuresWithOutput.delete(index);
      this.outputSavings -= saving;
    }
  }

  /** Gives room back after the roster grew: successes go first, then failures' outputs, then failures. */
  private fitRoom(): void {
    while (!this.fits(0) && this.evictOne()) {
      /* evicted one */
    }
  }

  /** Room for the roster first: successes go, then failures' outputs, then failures. */
  private evictOne(): boolean {
    if (this.evictSuccess() || this.stripOneOutput()) return true;
    const first = this.details.keys().next();
    if (first.done) return false;
    this.drop(first.value);
    return true;
  }

  /** Drops the oldest kept success. */
  private evictSuccess(): boolean {
    const first = this.successes.values().next();
    if (first.done) return false;
    this.drop(first.value);
    return true;
  }

  /** Drops the output of the oldest kept failure that has one. */
  private stripOneOutput(): boolean {
    const first = this.failuresWithOutput.keys().next();
    if (first.done) return false;
    const record = this.details.get(first.value)!;
    this.drop(first.value);
    this.add(first.value, withoutOutput(record));
    return true;
  }
}

function withoutOutput(record: InstanceResult): InstanceResult {
  return record.output === '' ? record : { ...record, output: '', outputTruncated: true };
}

/** A record's bytes in a result: its JSON, plus its output again in commandOutputs. */
export function detailBytes(record: InstanceResult): number {
  return jsonBytes(record) + jsonBytes(record.output) + 1;
}

/**
 * Bytes a child's ledger may take of a payload budget: the continue-as-new input carries the run's input
 * beside it (its ResourceIds are the ledger's own instance ids, which the ledger counts itself); the
 * result carries the ledger alone.
 */
export function ledgerRoom(input: Record<string, unknown>, budget: number): number {
  const { continuation: _carried, ...own } = input;
  const targets = own.targets as { Type?: unknown } | undefined;
  const withoutIds = targets?.Type === 'ResourceIds' ? { ...own, targets: { ...targets, ResourceIds: [] } } : own;
  return budget - jsonBytes(withoutIds);
}
