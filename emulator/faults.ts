// Runtime fault state: merged patches (null deletes a key) and per-action token buckets for throttling.
import type { Faults } from './scenario';

export class FaultState {
  private current: Faults;
  private buckets = new Map<string, { tokens: number; last: number }>();

  constructor(initial: Faults | undefined) {
    this.current = { ...(initial ?? {}) };
  }

  get(): Faults {
    return this.current;
  }

  /** Shallow merge; a key set to null is removed. */
  merge(patch: Partial<Record<keyof Faults, unknown>>): void {
    const next: Faults & Record<string, unknown> = { ...this.current };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === undefined) delete next[k];
      else next[k] = v;
    }
    this.current = next;
    if ('throttle' in patch) this.buckets.clear();
  }

  /** Consumes a token for `action`; true when the call must be throttled. */
  throttled(action: string, now: number): boolean {
    const rule = this.current.throttle?.[action];
    if (!rule) return false;
    if (rule.qps <= 0) return true;
    const capacity = Math.max(1, rule.qps);
    let b = this.buckets.get(action);
    if (!b) {
      b = { tokens: capacity, last: now };
      this.buckets.set(action, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((now - b.last) / 1000) * rule.qps);
    b.last = now;
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }
}
