// Scenario files describe the emulated world (DESIGN §7). This module owns the type and its validation;
// every error names the JSON path of the offending field so a bad file is fixed in one look.
import { readFileSync } from 'node:fs';

export type InstanceStatus = 'Pending' | 'Running' | 'Starting' | 'Stopping' | 'Stopped';
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['Pending', 'Running', 'Starting', 'Stopping', 'Stopped'];

/**
 * Cloud Assistant agent state: `offline` (no heartbeat: deliveries abort at once with ClientNotRunning),
 * `flapping` (alternates online/offline per `faults.agentFlap`; a delivery waits for it up to
 * `faults.deliveryTimeoutMs`, then aborts with DeliveryTimeout).
 */
export type AgentState = 'online' | 'offline' | 'flapping';
export const AGENT_STATES: readonly AgentState[] = ['online', 'offline', 'flapping'];

/** Simulated outcome of a command on one instance (simulate mode, and non-shell scripts in exec mode). */
export interface Behavior {
  /** How long the command runs: fixed ms or a uniform [min, max] range. Default 100. */
  durationMs?: number | [number, number];
  /** Exit code (default 0). */
  exitCode?: number;
  /** Extension: probability (0..1) that a run exits with `failExitCode` (default 1) instead. */
  failRate?: number;
  failExitCode?: number;
  /** Literal output, or a filler of this many bytes (outputBytes wins when both are set). */
  output?: string;
  outputBytes?: number;
}

export interface InstanceSpec {
  id: string;
  name?: string;
  status: InstanceStatus;
  osType?: 'linux' | 'windows';
  tags?: Record<string, string>;
  resourceGroupId?: string;
  agent?: AgentState;
  behavior?: Behavior;
}

export interface GenerateSpec {
  count: number;
  idPrefix: string;
  /** Extension: name prefix (default: idPrefix). */
  namePrefix?: string;
  status?: InstanceStatus;
  osType?: 'linux' | 'windows';
  tags?: Record<string, string>;
  resourceGroupId?: string;
  agent?: AgentState;
  behavior?: Behavior;
}

export interface RegionSpec {
  instances?: InstanceSpec[];
  generate?: GenerateSpec[];
}

export interface UserSpec {
  name: string;
  accessKeyId: string;
  accessKeySecret: string;
  policies: string[];
}

export interface TrustStatement {
  Action: string | string[];
  Effect: string;
  Principal: { RAM?: string[] | string; Service?: string[] | string; Federated?: string[] | string };
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface RoleSpec {
  name: string;
  trustPolicy: { Statement: TrustStatement[]; Version: string };
  policies: string[];
  /** Seconds, 3600..43200; default 3600. */
  maxSessionDuration?: number;
}

/** Access keys of the account itself (the root identity): full permissions, but it cannot assume roles. */
export interface RootKeySpec {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface AccountSpec {
  id: string;
  rootKeys?: RootKeySpec[];
  users?: UserSpec[];
  roles?: RoleSpec[];
  regions?: Record<string, RegionSpec>;
}

/**
 * A throttle rule: a token bucket of capacity `qps` refilled at `qps` per second; a call without a token is
 * answered Throttling.User (HTTP 400). `perAccount`: one bucket per calling account instead of one shared.
 */
export interface ThrottleRule {
  qps: number;
  perAccount?: boolean;
}

/** Something that happens to an instance once a command on it has run `afterRunMs` (faults.instanceEvents). */
export interface InstanceEvent {
  /** stop: the instance stops (running commands end Error/InstanceNotRunning); release: it is released
   * (Error/InstanceReleased, and it disappears); agentOffline / agentFlapping: the agent changes state. */
  event: 'stop' | 'release' | 'agentOffline' | 'agentFlapping';
  afterRunMs: number;
}
export const INSTANCE_EVENTS: readonly InstanceEvent['event'][] = ['stop', 'release', 'agentOffline', 'agentFlapping'];

/** A probability for every action, or per action (`*` = the others). */
export type Rate = number | Record<string, number>;

export interface Faults {
  /**
   * Throttle rules keyed by `<Action>`, `*` (every action), `<accountId>/<Action>` or `<accountId>/*`
   * (callers of that account only). The most specific matching rule applies.
   */
  throttle?: Record<string, ThrottleRule>;
  /**
   * Probability that a cloud API call fails with a random 500 InternalError / 503 ServiceUnavailable (before
   * any side effect): one number for every action, or per action `{ "<Action>": p, "*": p }`.
   */
  errorRate?: Rate;
  /** Extra latency added to every cloud API call, uniform in [min, max] ms. */
  latencyMs?: [number, number];
  /** A new invocation is invisible to DescribeInvocations/DescribeInvocationResults/StopInvocation for this long. */
  invocationVisibilityDelayMs?: number;
  /** Overrides the lifetime of issued STS tokens (test-only). */
  stsDurationSeconds?: number;
  /** Probability that the connection is destroyed instead of answered (after the call took effect); as errorRate. */
  resetRate?: Rate;
  /** Extension: time an instance spends Pending before delivery (ms or [min, max]). Default 0. */
  deliveryDelayMs?: number | [number, number];
  /** How long a delivery waits for a flapping agent to come back before Aborted/DeliveryTimeout (default 60000). */
  deliveryTimeoutMs?: number;
  /** The cycle of `flapping` agents: online for onlineMs, then offline for offlineMs (default 1000/1000). */
  agentFlap?: { onlineMs: number; offlineMs: number };
  /** Mid-run events keyed by instance id; each fires once, on the first command that runs long enough. */
  instanceEvents?: Record<string, InstanceEvent>;
}

export interface Scenario {
  execution: 'exec' | 'simulate';
  /** Seed for the emulator's PRNG (EMULATOR_SEED wins). */
  seed?: number;
  accounts: AccountSpec[];
  faults?: Faults;
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, msg: string): never {
  throw new ScenarioError(`scenario ${path}: ${msg}`);
}

function str(v: unknown, path: string, opt = false): string | undefined {
  if (v === undefined && opt) return undefined;
  if (typeof v !== 'string' || v === '') fail(path, `expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function num(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail(path, `expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function range(v: unknown, path: string): number | [number, number] | undefined {
  if (v === undefined || typeof v === 'number') return num(v, path, 0);
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && x >= 0) && v[0] <= v[1]) {
    return [v[0] as number, v[1] as number];
  }
  return fail(path, `expected a number or [min, max] with 0 <= min <= max, got ${JSON.stringify(v)}`);
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) fail(path, `expected one of ${allowed.join('|')}, got ${JSON.stringify(v)}`);
  return v as T;
}

function strMap(v: unknown, path: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) fail(path, 'expected an object of string values');
  for (const [k, val] of Object.entries(v)) if (typeof val !== 'string') fail(`${path}.${k}`, 'expected a string');
  return v as Record<string, string>;
}

function strList(v: unknown, path: string): string[] {
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string'))
    fail(path, 'expected an array of strings');
  return v;
}

function behavior(v: unknown, path: string): Behavior | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) fail(path, 'expected an object');
  const b: Behavior = {};
  const d = range(v.durationMs, `${path}.durationMs`);
  if (d !== undefined) b.durationMs = d;
  const e = num(v.exitCode, `${path}.exitCode`, -2147483648, 2147483647);
  if (e !== undefined) b.exitCode = e;
  const fr = num(v.failRate, `${path}.failRate`, 0, 1);
  if (fr !== undefined) b.failRate = fr;
  const fe = num(v.failExitCode, `${path}.failExitCode`, -2147483648, 2147483647);
  if (fe !== undefined) b.failExitCode = fe;
  if (v.output !== undefined) {
    if (typeof v.output !== 'string') fail(`${path}.output`, 'expected a string');
    b.output = v.output;
  }
  const ob = num(v.outputBytes, `${path}.outputBytes`, 0, 64 * 1024 * 1024);
  if (ob !== undefined) b.outputBytes = ob;
  return b;
}

function instance(v: unknown, path: string): InstanceSpec {
  if (!isObj(v)) fail(path, 'expected an object');
  const spec: InstanceSpec = {
    id: str(v.id, `${path}.id`)!,
    status: oneOf(v.status, `${path}.status`, INSTANCE_STATUSES) ?? fail(`${path}.status`, 'is required'),
  };
  const name = str(v.name, `${path}.name`, true);
  if (name !== undefined) spec.name = name;
  const os = oneOf(v.osType, `${path}.osType`, ['linux', 'windows'] as const);
  if (os) spec.osType = os;
  const tags = strMap(v.tags, `${path}.tags`);
  if (tags) spec.tags = tags;
  const rg = str(v.resourceGroupId, `${path}.resourceGroupId`, true);
  if (rg !== undefined) spec.resourceGroupId = rg;
  const agent = oneOf(v.agent, `${path}.agent`, AGENT_STATES);
  if (agent) spec.agent = agent;
  const b = behavior(v.behavior, `${path}.behavior`);
  if (b) spec.behavior = b;
  return spec;
}

function generate(v: unknown, path: string): GenerateSpec {
  if (!isObj(v)) fail(path, 'expected an object');
  const g: GenerateSpec = {
    count: num(v.count, `${path}.count`, 0, 1_000_000) ?? fail(`${path}.count`, 'is required'),
    idPrefix: str(v.idPrefix, `${path}.idPrefix`)!,
  };
  if (!Number.isInteger(g.count)) fail(`${path}.count`, 'expected an integer');
  const np = str(v.namePrefix, `${path}.namePrefix`, true);
  if (np !== undefined) g.namePrefix = np;
  const st = oneOf(v.status, `${path}.status`, INSTANCE_STATUSES);
  if (st) g.status = st;
  const os = oneOf(v.osType, `${path}.osType`, ['linux', 'windows'] as const);
  if (os) g.osType = os;
  const tags = strMap(v.tags, `${path}.tags`);
  if (tags) g.tags = tags;
  const rg = str(v.resourceGroupId, `${path}.resourceGroupId`, true);
  if (rg !== undefined) g.resourceGroupId = rg;
  const agent = oneOf(v.agent, `${path}.agent`, AGENT_STATES);
  if (agent) g.agent = agent;
  const b = behavior(v.behavior, `${path}.behavior`);
  if (b) g.behavior = b;
  return g;
}

function trustPolicy(v: unknown, path: string): RoleSpec['trustPolicy'] {
  if (!isObj(v)) fail(path, 'expected an object');
  if (!Array.isArray(v.Statement)) fail(`${path}.Statement`, 'expected an array');
  v.Statement.forEach((s, i) => {
    const p = `${path}.Statement[${i}]`;
    if (!isObj(s)) fail(p, 'expected an object');
    if (typeof s.Action !== 'string' && !Array.isArray(s.Action)) fail(`${p}.Action`, 'expected a string or array');
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail(`${p}.Effect`, 'expected "Allow" or "Deny"');
    if (!isObj(s.Principal)) fail(`${p}.Principal`, 'expected an object with RAM and/or Service');
    if (s.Condition !== undefined && !isObj(s.Condition)) fail(`${p}.Condition`, 'expected an object');
  });
  return { Statement: v.Statement as TrustStatement[], Version: typeof v.Version === 'string' ? v.Version : '1' };
}

function rate(v: unknown, path: string): Rate | undefined {
  if (v === undefined || typeof v === 'number') return num(v, path, 0, 1);
  if (!isObj(v)) fail(path, 'expected a probability or an object of {<Action>|*: probability}');
  const out: Record<string, number> = {};
  for (const [action, p] of Object.entries(v)) out[action] = num(p, `${path}.${action}`, 0, 1) ?? 0;
  return out;
}

/** The probability `r` gives for `action`. */
export function rateFor(r: Rate | undefined, action: string): number {
  if (r === undefined) return 0;
  if (typeof r === 'number') return r;
  return r[action] ?? r['*'] ?? 0;
}

const FAULT_KEYS = [
  'throttle',
  'errorRate',
  'resetRate',
  'latencyMs',
  'invocationVisibilityDelayMs',
  'stsDurationSeconds',
  'deliveryDelayMs',
  'deliveryTimeoutMs',
  'agentFlap',
  'instanceEvents',
];

function faults(v: unknown, path: string): Faults {
  if (!isObj(v)) fail(path, 'expected an object');
  // A misspelt fault would otherwise do nothing, silently.
  const unknown = Object.keys(v).filter((k) => !FAULT_KEYS.includes(k));
  if (unknown.length > 0) fail(`${path}.${unknown[0]}`, `unknown fault; known: ${FAULT_KEYS.join(', ')}`);
  const f: Faults = {};
  if (v.throttle !== undefined) {
    if (!isObj(v.throttle)) fail(`${path}.throttle`, 'expected an object of {action: {qps}}');
    f.throttle = {};
    for (const [key, t] of Object.entries(v.throttle)) {
      const tp = `${path}.throttle.${key}`;
      if (!/^(?:\d+\/)?(?:\*|[A-Za-z][A-Za-z0-9]*)$/.test(key)) {
        fail(tp, 'expected a key <Action>, *, <accountId>/<Action> or <accountId>/*');
      }
      if (!isObj(t)) fail(tp, 'expected {qps: number, perAccount?: boolean}');
      const rule: ThrottleRule = { qps: num(t.qps, `${tp}.qps`, 0) ?? fail(`${tp}.qps`, 'is required') };
      if (t.perAccount !== undefined) {
        if (typeof t.perAccount !== 'boolean') fail(`${tp}.perAccount`, 'expected a boolean');
        rule.perAccount = t.perAccount;
      }
      f.throttle[key] = rule;
    }
  }
  const er = rate(v.errorRate, `${path}.errorRate`);
  if (er !== undefined) f.errorRate = er;
  const rr = rate(v.resetRate, `${path}.resetRate`);
  if (rr !== undefined) f.resetRate = rr;
  if (v.latencyMs !== undefined) {
    const l = range(v.latencyMs, `${path}.latencyMs`);
    f.latencyMs = typeof l === 'number' ? [l, l] : l;
  }
  const vd = num(v.invocationVisibilityDelayMs, `${path}.invocationVisibilityDelayMs`, 0);
  if (vd !== undefined) f.invocationVisibilityDelayMs = vd;
  const sd = num(v.stsDurationSeconds, `${path}.stsDurationSeconds`, 1, 43200);
  if (sd !== undefined) f.stsDurationSeconds = sd;
  const dd = range(v.deliveryDelayMs, `${path}.deliveryDelayMs`);
  if (dd !== undefined) f.deliveryDelayMs = dd;
  const dt = num(v.deliveryTimeoutMs, `${path}.deliveryTimeoutMs`, 0);
  if (dt !== undefined) f.deliveryTimeoutMs = dt;
  if (v.agentFlap !== undefined) {
    if (!isObj(v.agentFlap)) fail(`${path}.agentFlap`, 'expected {onlineMs, offlineMs}');
    f.agentFlap = {
      onlineMs:
        num(v.agentFlap.onlineMs, `${path}.agentFlap.onlineMs`, 1) ?? fail(`${path}.agentFlap.onlineMs`, 'is required'),
      offlineMs:
        num(v.agentFlap.offlineMs, `${path}.agentFlap.offlineMs`, 1) ??
        fail(`${path}.agentFlap.offlineMs`, 'is required'),
    };
  }
  if (v.instanceEvents !== undefined) {
    if (!isObj(v.instanceEvents)) fail(`${path}.instanceEvents`, 'expected an object keyed by instance id');
    f.instanceEvents = {};
    for (const [id, e] of Object.entries(v.instanceEvents)) {
      const ep = `${path}.instanceEvents.${id}`;
      if (!isObj(e)) fail(ep, 'expected {event, afterRunMs}');
      f.instanceEvents[id] = {
        event: oneOf(e.event, `${ep}.event`, INSTANCE_EVENTS) ?? fail(`${ep}.event`, 'is required'),
        afterRunMs: num(e.afterRunMs, `${ep}.afterRunMs`, 0) ?? fail(`${ep}.afterRunMs`, 'is required'),
      };
    }
  }
  return f;
}

/** Validates a parsed scenario; throws ScenarioError naming the bad field. */
export function validateScenario(raw: unknown): Scenario {
  if (!isObj(raw)) fail('(root)', 'expected a JSON object');
  const execution = oneOf(raw.execution, 'execution', ['exec', 'simulate'] as const) ?? 'exec';
  if (!Array.isArray(raw.accounts) || raw.accounts.length === 0) fail('accounts', 'expected a non-empty array');
  const seen = new Set<string>();
  const keys = new Set<string>();
  const accounts = raw.accounts.map((a, i): AccountSpec => {
    const p = `accounts[${i}]`;
    if (!isObj(a)) fail(p, 'expected an object');
    const id = str(a.id, `${p}.id`)!;
    if (seen.has(id)) fail(`${p}.id`, `duplicate account id ${id}`);
    seen.add(id);
    const acc: AccountSpec = { id };
    if (a.rootKeys !== undefined) {
      if (!Array.isArray(a.rootKeys)) fail(`${p}.rootKeys`, 'expected an array');
      acc.rootKeys = a.rootKeys.map((k, j) => {
        const kp = `${p}.rootKeys[${j}]`;
        if (!isObj(k)) fail(kp, 'expected an object');
        const key: RootKeySpec = {
          accessKeyId: str(k.accessKeyId, `${kp}.accessKeyId`)!,
          accessKeySecret: str(k.accessKeySecret, `${kp}.accessKeySecret`)!,
        };
        if (key.accessKeyId.startsWith('STS.')) fail(`${kp}.accessKeyId`, 'must not start with "STS." (reserved)');
        if (keys.has(key.accessKeyId)) fail(`${kp}.accessKeyId`, `duplicate access key ${key.accessKeyId}`);
        keys.add(key.accessKeyId);
        return key;
      });
    }
    if (a.users !== undefined) {
      if (!Array.isArray(a.users)) fail(`${p}.users`, 'expected an array');
      acc.users = a.users.map((u, j) => {
        const up = `${p}.users[${j}]`;
        if (!isObj(u)) fail(up, 'expected an object');
        const user: UserSpec = {
          name: str(u.name, `${up}.name`)!,
          accessKeyId: str(u.accessKeyId, `${up}.accessKeyId`)!,
          accessKeySecret: str(u.accessKeySecret, `${up}.accessKeySecret`)!,
          policies: u.policies === undefined ? [] : strList(u.policies, `${up}.policies`),
        };
        if (user.accessKeyId.startsWith('STS.')) fail(`${up}.accessKeyId`, 'must not start with "STS." (reserved)');
        if (keys.has(user.accessKeyId)) fail(`${up}.accessKeyId`, `duplicate access key ${user.accessKeyId}`);
        keys.add(user.accessKeyId);
        return user;
      });
    }
    if (a.roles !== undefined) {
      if (!Array.isArray(a.roles)) fail(`${p}.roles`, 'expected an array');
      acc.roles = a.roles.map((r, j) => {
        const rp = `${p}.roles[${j}]`;
        if (!isObj(r)) fail(rp, 'expected an object');
        const role: RoleSpec = {
          name: str(r.name, `${rp}.name`)!,
          trustPolicy: trustPolicy(r.trustPolicy, `${rp}.trustPolicy`),
          policies: r.policies === undefined ? [] : strList(r.policies, `${rp}.policies`),
        };
        const msd = num(r.maxSessionDuration, `${rp}.maxSessionDuration`, 3600, 43200);
        if (msd !== undefined) role.maxSessionDuration = msd;
        return role;
      });
    }
    if (a.regions !== undefined) {
      if (!isObj(a.regions)) fail(`${p}.regions`, 'expected an object keyed by region id');
      acc.regions = {};
      for (const [regionId, r] of Object.entries(a.regions)) {
        const rp = `${p}.regions.${regionId}`;
        if (!isObj(r)) fail(rp, 'expected an object');
        const region: RegionSpec = {};
        if (r.instances !== undefined) {
          if (!Array.isArray(r.instances)) fail(`${rp}.instances`, 'expected an array');
          region.instances = r.instances.map((x, k) => instance(x, `${rp}.instances[${k}]`));
        }
        if (r.generate !== undefined) {
          if (!Array.isArray(r.generate)) fail(`${rp}.generate`, 'expected an array');
          region.generate = r.generate.map((x, k) => generate(x, `${rp}.generate[${k}]`));
        }
        acc.regions[regionId] = region;
      }
    }
    return acc;
  });
  const scenario: Scenario = { execution, accounts };
  const seed = num(raw.seed, 'seed', 0);
  if (seed !== undefined) scenario.seed = seed;
  if (raw.faults !== undefined) scenario.faults = faults(raw.faults, 'faults');
  return scenario;
}

/** Validates a partial faults object (runtime updates via POST /_emulator/faults). */
export function validateFaults(raw: unknown): Faults {
  return faults(raw, 'faults');
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(`cannot read scenario file ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`scenario file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return validateScenario(raw);
}
