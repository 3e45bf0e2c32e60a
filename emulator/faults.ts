// Runtime fault state: merged patches (null deletes a key), token buckets for throttling (per action, or per
// action and account), and the online/offline cycle of flapping agents.
import { createHash } from 'node:crypto';
import type { AgentState, Faults, ThrottleRule } from './scenario';

export const DEFAULT_AGENT_FLAP = { onlineMs: 1000, offlineMs: 1000 };
export const DEFAULT_DELIVERY_TIMEOUT_MS = 60_000;

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

  /** The most specific throttle rule for a call: `<acct>/<Action>`, `<acct>/*`, `<Action>`, then `*`. */
  private rule(action: string, accountId: string | undefined): { key: string; rule: ThrottleRule } | undefined {
    const rules = this.current.throttle;
    if (!rules) return undefined;
    const keys = accountId === undefined ? [action, '*'] : [`${accountId}/${action}`, `${accountId}/*`, action, '*'];
    for (const key of keys) {
      const rule = rules[key];
      if (rule) return { key, rule };
    }
    return undefined;
  }

  /** Consumes a token for a call of `action` by `accountId`; true when the call must be throttled. */
  throttled(action: string, accountId: string | undefined, now: number): boolean {
    const found = this.rule(action, accountId);
    if (!found) return false;
    const { rule } = found;
    if (rule.qps <= 0) return true;
    const bucketKey = rule.perAccount ? `${found.key}@${accountId ?? '-'}` : found.key;
    const capacity = Math.max(1, rule.qps);
    let b = this.buckets.get(bucketKey);
    if (!b) {
      b = { tokens: capacity, last: now };
      this.buckets.set(bucketKey, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((now - b.last) / 1000) * rule.qps);
    b.last = now;
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }

  /** Whether an agent is reachable at `now`. A flapping agent's cycle is phase-shifted by its instance id. */
  agentOnline(instanceId: string, agent: AgentState, now: number): boolean {
    if (agent !== 'flapping') return agent === 'online';
    const { onlineMs, offlineMs } = this.current.agentFlap ?? DEFAULT_AGENT_FLAP;
    const period = onlineMs + offlineMs;
    return (now + phase(instanceId, period)) % period < onlineMs;
  }

  /** For a flapping agent offline at `now`: ms until it is online again (0 if online or not flapping). */
  agentBackIn(instanceId: string, agent: AgentState, now: number): number {
    if (agent !== 'flapping' || this.agentOnline(instanceId, agent, now)) return 0;
    const { onlineMs, offlineMs } = this.current.agentFlap ?? DEFAULT_AGENT_FLAP;
    const period = onlineMs + offlineMs;
    return period - ((now + phase(instanceId, period)) % period);
  }

  deliveryTimeoutMs(): number {
    return this.current.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  }
}

function phase(instanceId: string, period: number): number {
  return createHash('sha256').update(instanceId).digest().readUInt32BE(0) % period;
}
