// Audit trail: every cloud API call and every execution that actually started on an instance, so tests
// can prove exactly-once dispatch and measure concurrency (times are ms since epoch).
import type { ExecutionRecord } from './model';

export interface CallRecord {
  seq: number;
  time: number;
  action: string;
  accountId: string | null;
  regionId: string | null;
  /** ARN of the caller as GetCallerIdentity reports it; null when authentication failed. */
  caller: string | null;
  httpStatus: number;
  errorCode: string | null;
  params?: { InvokeId?: string; ClientToken?: string; InstanceIds?: number };
}

export interface AuditLog {
  calls: CallRecord[];
  executions: ExecutionRecord[];
}

export class Audit {
  private calls: CallRecord[] = [];
  private executions: ExecutionRecord[] = [];
  private seq = 0;

  call(rec: Omit<CallRecord, 'seq'>): void {
    this.calls.push({ seq: ++this.seq, ...rec });
  }

  /** Records the start of an execution; the caller mutates the record when it finishes. */
  execution(rec: ExecutionRecord): ExecutionRecord {
    this.executions.push(rec);
    return rec;
  }

  snapshot(): AuditLog {
    return { calls: this.calls.map((c) => ({ ...c })), executions: this.executions.map((e) => ({ ...e })) };
  }

  reset(): void {
    this.calls = [];
    this.executions = [];
  }
}
