// `npm run bench`: end-to-end performance of multiAccountExecute against the DESIGN §9 goals. Not a test:
// it prints figures and ratios to the ideal schedule, and checks only correctness (exit 1 if a run is wrong).
//
//   npm run bench                         10,000 instances over 20 locations, both modes, plus a memory point
//   npm run bench -- --quick              1,000 instances over 5 locations (a minute or so)
//   npm run bench -- --instances 4000 --locations 8 --duration-ms 1000 --concurrency 50 --modes ours
//
// Each measured run is a fresh process (so its memory figures are its own) holding the emulator (simulate
// mode) and a worker, like scripts/demo.ts; all runs share one Temporal dev server (or TEMPORAL_ADDRESS).
// Modes: `ours` = instancesPerCall 100, `oos` = instancesPerCall 1 (one RunCommand per instance, each
// invocation polled on its own, as OOS does). Results also go to .tmp/bench-<date>.json.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { cloudConfigFromEnv } from '../activities/cloudConfig';
import { startMultiAccountExecute, waitForOutcome } from '../client/api';
import type { MultiAccountExecuteInput } from '../contract/input';
import { allInstances } from '../contract/instanceRoster';
import type { BulkyRunCommandResult, MultiAccountExecuteResult } from '../contract/results';
import { resultQuery } from '../workflows/messages';
import { loadScenario } from '../emulator/scenario';
import type { AccountSpec, Scenario } from '../emulator/scenario';
import { startEmulator, type AuditLog } from '../emulator/server';
import seedJson from '../examples/seed-input.json';
import { createWorker, WORKFLOWS_PATH } from '../worker/createWorker';
import { startDevServer, type DevServer } from './devServer';

const ROOT = path.resolve(__dirname, '..');
const TMP = path.join(ROOT, '.tmp');
const HUB = '123456';
const FIRST_MEMBER = 654321;
/** Real Alibaba Cloud region ids; more locations than these use further member accounts. */
const REGIONS = [
  'cn-hangzhou',
  'cn-shanghai',
  'cn-beijing',
  'cn-shenzhen',
  'cn-qingdao',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-chengdu',
  'cn-hongkong',
  'cn-heyuan',
  'cn-guangzhou',
  'ap-southeast-1',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'us-west-1',
  'us-east-1',
  'eu-central-1',
  'eu-west-1',
  'me-east-1',
];
const SAMPLE_MS = 500;
/** The worker polls this long before a run starts. */
const WARMUP_MS = 1000;
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Mode = 'ours' | 'oos';
const INSTANCES_PER_CALL: Record<Mode, number> = { ours: 100, oos: 1 };

interface Workload {
  instances: number;
  locations: number;
  durationMs: number;
  /** Instance-level RateControl Concurrency (per location). */
  concurrency: number;
  /** Location-level RateControl Concurrency. */
  locationConcurrency: number;
  /** templateParameters.pollIntervalSeconds; undefined = the product's default. */
  pollIntervalSeconds?: number;
}

interface RunSpec extends Workload {
  label: string;
  purpose: 'modes' | 'memory';
  mode: Mode;
  instancesPerCall: number;
  address: string;
  namespace: string;
  bundlePath: string;
  serverPid?: number;
  timeoutMs: number;
  out: string;
}

interface Location {
  accountId: string;
  regionId: string;
  instances: number;
}

interface Stat {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

interface RunResult {
  spec: Omit<RunSpec, 'out' | 'bundlePath' | 'address' | 'namespace' | 'serverPid'>;
  workflowId: string;
  status: string;
  wallMs: number;
  idealMs: number;
  ratio: number;
  waves: number;
  correctness: { ok: boolean; problems: string[]; success: number; executions: number; distinctExecuted: number };
  calls: { total: number; byAction: Record<string, number>; failed: number; perInstance: number };
  runCommand: {
    calls: number;
    perInstance: number;
    instancesPerCall: number;
    /** Calls that repeated an earlier call's ClientToken (activity retries; idempotent by design). */
    repeated: number;
    /** Time from the first call with a token to its repeat. */
    repeatAfterMs: Stat;
  };
  history: {
    events: number;
    perInstance: number;
    parentEvents: number;
    childEvents: number;
    runs: number;
    continuedAsNew: number;
  };
  memory: {
    samples: number;
    baselineRssBytes: number;
    baselineHeapUsedBytes: number;
    peakRssBytes: number;
    peakHeapUsedBytes: number;
    serverPeakRssBytes: number | null;
  };
  cpu: { processUserMs: number; processSystemMs: number; serverMs: number | null };
  emulator: Record<string, number>;
  timeline: {
    startToFirstExecutionMs: number;
    startToLastFirstExecutionMs: number;
    lastFinishToCloseMs: number;
    locationSpanOverheadMs: Stat;
    slotReuseMs: Stat;
    pollWaitMs: Stat;
    detectToDispatchMs: Stat;
  };
  /** From the workflow histories: where the setup, each wave and the tail spend their time. */
  phases: Phases;
  /** 1-minute load average at the start and at the end of the run (the machine may be shared). */
  loadAverage: number[];
}

interface Phases {
  /** Run start → the parent's StartChildWorkflowExecutionInitiated (first child). */
  parentSchedulesChildrenMs: number;
  /** Run start → each child's WorkflowExecutionStarted. */
  childStartedMs: Stat;
  /** selectTargets (AssumeRole chain + DescribeInstances) scheduled → completed. */
  selectTargetsMs: Stat;
  /** Run start → each child's first RunCommand activity completed. */
  firstRunCommandDoneMs: Stat;
  /** A pollInvocations activity completed → the next RunCommand activity scheduled (a workflow task). */
  pollDoneToDispatchMs: Stat;
  /** RunCommand activity scheduled → started (task queue dispatch) and started → completed (the SDK call). */
  runCommandScheduleToStartMs: Stat;
  runCommandStartToCloseMs: Stat;
  /** Every workflow task of the children: scheduled → completed. */
  workflowTaskMs: Stat;
  /** Per location: last execution end → the child's last poll activity completed → child closed. */
  lastFinishToLastPollDoneMs: Stat;
  lastPollDoneToChildClosedMs: Stat;
  /** Last child closed → parent closed → the client saw the result. */
  lastChildToParentClosedMs: number;
  parentClosedToResultMs: number;
}

// ---------------------------------------------------------------- options

interface Options extends Workload {
  modes: Mode[];
  memorySizes: number[];
  timeoutMs: number;
  out?: string;
}

function parseOptions(argv: string[]): Options | { runSpec: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      instances: { type: 'string' },
      locations: { type: 'string' },
      'duration-ms': { type: 'string' },
      concurrency: { type: 'string' },
      'location-concurrency': { type: 'string' },
      'poll-interval': { type: 'string' },
      modes: { type: 'string' },
      'memory-sizes': { type: 'string' },
      'no-memory': { type: 'boolean', default: false },
      'timeout-min': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      'run-spec': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(
      [
        'npm run bench -- [options]',
        '  --quick                    small run: 1000 instances, 5 locations, 1000 ms, memory sizes 200,1000',
        '  --instances N              total instances (default 10000)',
        '  --locations N              account/region locations (default 20; >25 adds member accounts)',
        '  --duration-ms N            command duration on every instance (default 2000)',
        '  --concurrency N            instance-level Concurrency per location (default 100)',
        '  --location-concurrency N   location-level Concurrency (default: all locations at once)',
        '  --poll-interval S          templateParameters.pollIntervalSeconds (default: the product default)',
        '  --modes ours,oos           which modes to run (default both)',
        '  --memory-sizes A,B         fleet sizes for the memory check, mode ours (default 2000,<instances>)',
        '  --no-memory                skip the memory check',
        '  --timeout-min N            per run (default 30)',
        '  --out FILE                 JSON results (default .tmp/bench-<date>.json)',
      ].join('\n'),
    );
    process.exit(0);
  }
  if (values['run-spec']) return { runSpec: values['run-spec'] };
  const quick = values.quick;
  const int = (v: string | undefined, dflt: number, name: string, min = 1): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: an integer >= ${min}, got "${v}"`);
    return n;
  };
  const instances = int(values.instances, quick ? 1000 : 10_000, 'instances');
  const locations = int(values.locations, quick ? 5 : 20, 'locations');
  if (locations > instances) throw new UsageError('--locations: at most --instances');
  if (locations > 1000) throw new UsageError('--locations: at most 1000 (accountRoleAndRegions limit)');
  const pollRaw = values['poll-interval'];
  const pollIntervalSeconds = pollRaw === undefined ? undefined : Number(pollRaw);
  if (pollIntervalSeconds !== undefined && !(pollIntervalSeconds >= 0.05 && pollIntervalSeconds <= 60)) {
    throw new UsageError(`--poll-interval: seconds from 0.05 to 60, got "${pollRaw}"`);
  }
  const modes = (values.modes ?? 'ours,oos').split(',').map((m) => m.trim());
  for (const m of modes) if (m !== 'ours' && m !== 'oos') throw new UsageError(`--modes: ours and/or oos, got "${m}"`);
  const memorySizes = values['no-memory']
    ? []
    : (values['memory-sizes'] ?? (quick ? `200,${instances}` : `2000,${instances}`))
        .split(',')
        .map((s) => int(s.trim(), 0, 'memory-sizes'));
  for (const s of memorySizes) if (s < locations) throw new UsageError(`--memory-sizes: each at least --locations`);
  return {
    instances,
    locations,
    durationMs: int(values['duration-ms'], quick ? 1000 : 2000, 'duration-ms'),
    concurrency: int(values.concurrency, 100, 'concurrency'),
    locationConcurrency: int(values['location-concurrency'], locations, 'location-concurrency'),
    pollIntervalSeconds,
    modes: modes as Mode[],
    memorySizes: [...new Set(memorySizes)].sort((a, b) => a - b),
    timeoutMs: int(values['timeout-min'], 30, 'timeout-min') * 60_000,
    out: values.out,
  };
}

class UsageError extends Error {}

// ---------------------------------------------------------------- workload

function locationsOf(w: Pick<Workload, 'instances' | 'locations'>): Location[] {
  return Array.from({ length: w.locations }, (_, i) => ({
    accountId: String(FIRST_MEMBER + Math.floor(i / REGIONS.length)),
    regionId: REGIONS[i % REGIONS.length]!,
    instances: Math.floor(w.instances / w.locations) + (i < w.instances % w.locations ? 1 : 0),
  }));
}

/** The ideal schedule: each location takes duration × its waves; locations start as location slots free. */
function idealSchedule(w: Workload): { idealMs: number; waves: number } {
  const per = locationsOf(w).map((l) => Math.ceil(l.instances / w.concurrency));
  const slots = Array.from({ length: Math.min(w.locationConcurrency, per.length) }, () => 0);
  for (const waves of per) {
    const i = slots.indexOf(Math.min(...slots));
    slots[i]! += waves * w.durationMs;
  }
  return { idealMs: Math.max(...slots), waves: Math.max(...per) };
}

/** The seed's world in simulate mode: hub 123456 (worker user) and member accounts holding the fleet. */
function benchWorld(w: Workload): Scenario {
  const world = loadScenario(path.join(ROOT, 'examples/seed-world.json'));
  world.execution = 'simulate';
  const template = world.accounts.find((a) => a.id === String(FIRST_MEMBER))!;
  const members = new Map<string, AccountSpec>();
  const behavior = { durationMs: w.durationMs, exitCode: 0, output: 'hello\n' };
  for (const loc of locationsOf(w)) {
    let account = members.get(loc.accountId);
    if (!account) {
      account = { ...(JSON.parse(JSON.stringify(template)) as AccountSpec), id: loc.accountId, regions: {} };
      members.set(loc.accountId, account);
    }
    account.regions![loc.regionId] = {
      generate: [
        { count: loc.instances, idPrefix: `i-${loc.accountId}-${loc.regionId}-`, status: 'Running', behavior },
      ],
    };
  }
  world.accounts = [...world.accounts.filter((a) => a.id === HUB), ...members.values()];
  return world;
}

function benchInput(w: Workload, instancesPerCall: number): MultiAccountExecuteInput {
  const seed = seedJson as MultiAccountExecuteInput;
  return {
    ...seed,
    accountRoleAndRegions: locationsOf(w).map((l) => ({
      OOSAssumeRole: `OOSServiceRole|${l.accountId}/OOSServiceRole`,
      RegionId: l.regionId,
    })),
    templateParameters: {
      ...seed.templateParameters,
      rateControl: { Mode: 'Concurrency', Concurrency: w.concurrency, MaxErrors: 0 },
      instancesPerCall,
      ...(w.pollIntervalSeconds === undefined ? {} : { pollIntervalSeconds: w.pollIntervalSeconds }),
    },
    rateControl: { Mode: 'Concurrency', Concurrency: w.locationConcurrency, MaxErrors: 0 },
  };
}

// ---------------------------------------------------------------- one measured run (its own process)

function procStat(pid: number): { cpuTicks: number; rssBytes: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuTicks, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function stat(values: number[]): Stat {
  if (values.length === 0) return { n: 0, mean: 0, p50: 0, p95: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return {
    n: s.length,
    mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length),
    p50: at(0.5),
    p95: at(0.95),
    max: s[s.length - 1]!,
  };
}

/** History events of a workflow id over all its runs (continue-as-new chain, newest back to the first). */
async function historyOf(
  client: Client,
  namespace: string,
  workflowId: string,
): Promise<{ events: number; runs: number; runIds: string[] }> {
  let runId: string | undefined;
  let events = 0;
  let runs = 0;
  const runIds: string[] = [];
  for (;;) {
    const d = await client.workflow.getHandle(workflowId, runId).describe();
    events += d.historyLength;
    runs++;
    runIds.unshift(d.runId);
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId, runId: d.runId },
      maximumPageSize: 1,
    });
    const previous = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous || runs > 10_000) return { events, runs, runIds };
    runId = previous;
  }
}

/** Where the time goes, from the emulator's audit (times in ms since epoch). */
function timeline(audit: AuditLog, spec: RunSpec, startMs: number, endMs: number): RunResult['timeline'] {
  const polls = new Map<string, number[]>();
  for (const c of audit.calls) {
    if (c.action !== 'DescribeInvocations' || !c.params?.InvokeId) continue;
    let list = polls.get(c.params.InvokeId);
    if (!list) polls.set(c.params.InvokeId, (list = []));
    list.push(c.time);
  }
  for (const list of polls.values()) list.sort((a, b) => a - b);
  const detectedAt = (invokeId: string, finish: number): number | undefined => {
    const list = polls.get(invokeId);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < finish) lo = mid + 1;
      else hi = mid;
    }
    return list[lo];
  };
  const byLocation = new Map<string, AuditLog['executions']>();
  for (const e of audit.executions) {
    const key = `${e.accountId}/${e.regionId}`;
    let list = byLocation.get(key);
    if (!list) byLocation.set(key, (list = []));
    list.push(e);
  }
  const reuse: number[] = [];
  const pollWait: number[] = [];
  const dispatch: number[] = [];
  const spanOverhead: number[] = [];
  const firstStarts: number[] = [];
  let lastFinish = 0;
  for (const execs of byLocation.values()) {
    const starts = [...execs].sort((a, b) => a.startTime - b.startTime);
    const finishes = execs.filter((e) => e.finishTime !== null).sort((a, b) => a.finishTime! - b.finishTime!);
    const first = starts[0]!.startTime;
    const last = finishes.length > 0 ? finishes[finishes.length - 1]!.finishTime! : first;
    firstStarts.push(first);
    lastFinish = Math.max(lastFinish, last);
    spanOverhead.push(last - first - Math.ceil(execs.length / spec.concurrency) * spec.durationMs);
    // The k-th start after the first `concurrency` reuses the slot of the k-th finish.
    for (let i = spec.concurrency; i < starts.length; i++) {
      const freed = finishes[i - spec.concurrency];
      if (!freed) break;
      reuse.push(starts[i]!.startTime - freed.finishTime!);
      const detected = detectedAt(freed.invokeId, freed.finishTime!);
      if (detected !== undefined && detected <= starts[i]!.startTime) {
        pollWait.push(detected - freed.finishTime!);
        dispatch.push(starts[i]!.startTime - detected);
      }
    }
  }
  return {
    startToFirstExecutionMs: firstStarts.length ? Math.min(...firstStarts) - startMs : 0,
    startToLastFirstExecutionMs: firstStarts.length ? Math.max(...firstStarts) - startMs : 0,
    lastFinishToCloseMs: lastFinish ? endMs - lastFinish : 0,
    locationSpanOverheadMs: stat(spanOverhead),
    slotReuseMs: stat(reuse),
    pollWaitMs: stat(pollWait),
    detectToDispatchMs: stat(dispatch),
  };
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** All events of a workflow id, oldest run first (the runs of a continue-as-new chain). */
async function eventsOf(client: Client, workflowId: string, runIds: string[]): Promise<HistoryEvent[]> {
  const all: HistoryEvent[] = [];
  for (const runId of runIds)
    all.push(...((await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? []));
  return all;
}

interface ChildTimes {
  started?: number;
  selectScheduled?: number;
  selectCompleted?: number;
  firstRunCommandCompleted?: number;
  lastPollCompleted?: number;
  closed?: number;
}

/** Walks a child's events: the milestones, and per-activity / per-workflow-task latencies. */
function childTimes(
  events: HistoryEvent[],
  acc: { pollToDispatch: number[]; scheduleToStart: number[]; startToClose: number[]; workflowTask: number[] },
): ChildTimes {
  const t: ChildTimes = {};
  const kind = new Map<string, string>();
  const scheduledAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  let wftScheduled: number | undefined;
  let pollDone: number | undefined;
  for (const e of events) {
    const at = tsToMs(e.eventTime);
    const id = String(e.eventId);
    if (e.workflowExecutionStartedEventAttributes) t.started ??= at;
    else if (e.workflowTaskScheduledEventAttributes) wftScheduled = at;
    else if (e.workflowTaskCompletedEventAttributes && wftScheduled !== undefined) {
      acc.workflowTask.push(at - wftScheduled);
      wftScheduled = undefined;
    } else if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '';
      kind.set(id, name);
      scheduledAt.set(id, at);
      if (name === 'selectTargets') t.selectScheduled ??= at;
      if (name === 'runCommand' && pollDone !== undefined) {
        acc.pollToDispatch.push(at - pollDone);
        pollDone = undefined;
      }
    } else if (e.activityTaskStartedEventAttributes) {
      const sid = String(e.activityTaskStartedEventAttributes.scheduledEventId);
      startedAt.set(sid, at);
      if (kind.get(sid) === 'runCommand') acc.scheduleToStart.push(at - scheduledAt.get(sid)!);
    } else if (e.activityTaskCompletedEventAttributes) {
      const sid = String(e.activityTaskCompletedEventAttributes.scheduledEventId);
      const name = kind.get(sid);
      if (name === 'selectTargets') t.selectCompleted ??= at;
      if (name === 'runCommand') {
        t.firstRunCommandCompleted ??= at;
        const started = startedAt.get(sid);
        if (started !== undefined) acc.startToClose.push(at - started);
      }
      if (name === 'pollInvocations') t.lastPollCompleted = pollDone = at;
    } else if (e.workflowExecutionCompletedEventAttributes || e.workflowExecutionFailedEventAttributes) t.closed = at;
  }
  return t;
}

async function phasesOf(
  client: Client,
  parent: { workflowId: string; runIds: string[] },
  children: { workflowId: string; runIds: string[]; key: string }[],
  audit: AuditLog,
  startMs: number,
  endMs: number,
): Promise<Phases> {
  const parentEvents = await eventsOf(client, parent.workflowId, parent.runIds);
  const firstInitiated = parentEvents.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
  const parentClosed = parentEvents.find(
    (e) => e.workflowExecutionCompletedEventAttributes || e.workflowExecutionFailedEventAttributes,
  );
  const lastFinish = new Map<string, number>();
  for (const x of audit.executions) {
    const key = `${x.accountId}/${x.regionId}`;
    lastFinish.set(key, Math.max(lastFinish.get(key) ?? 0, x.finishTime ?? 0));
  }
  const acc = { pollToDispatch: [], scheduleToStart: [], startToClose: [], workflowTask: [] } as Record<
    'pollToDispatch' | 'scheduleToStart' | 'startToClose' | 'workflowTask',
    number[]
  >;
  const started: number[] = [];
  const select: number[] = [];
  const firstRc: number[] = [];
  const toLastPoll: number[] = [];
  const toClosed: number[] = [];
  let lastChildClosed = 0;
  for (const c of children) {
    const t = childTimes(await eventsOf(client, c.workflowId, c.runIds), acc);
    if (t.started !== undefined) started.push(t.started - startMs);
    if (t.selectScheduled !== undefined && t.selectCompleted !== undefined)
      select.push(t.selectCompleted - t.selectScheduled);
    if (t.firstRunCommandCompleted !== undefined) firstRc.push(t.firstRunCommandCompleted - startMs);
    const finish = lastFinish.get(c.key);
    if (finish && t.lastPollCompleted !== undefined) toLastPoll.push(t.lastPollCompleted - finish);
    if (t.lastPollCompleted !== undefined && t.closed !== undefined) toClosed.push(t.closed - t.lastPollCompleted);
    lastChildClosed = Math.max(lastChildClosed, t.closed ?? 0);
  }
  const parentClosedAt = parentClosed ? tsToMs(parentClosed.eventTime) : endMs;
  return {
    parentSchedulesChildrenMs: firstInitiated ? tsToMs(firstInitiated.eventTime) - startMs : 0,
    childStartedMs: stat(started),
    selectTargetsMs: stat(select),
    firstRunCommandDoneMs: stat(firstRc),
    pollDoneToDispatchMs: stat(acc.pollToDispatch),
    runCommandScheduleToStartMs: stat(acc.scheduleToStart),
    runCommandStartToCloseMs: stat(acc.startToClose),
    workflowTaskMs: stat(acc.workflowTask),
    lastFinishToLastPollDoneMs: stat(toLastPoll),
    lastPollDoneToChildClosedMs: stat(toClosed),
    lastChildToParentClosedMs: lastChildClosed ? parentClosedAt - lastChildClosed : 0,
    parentClosedToResultMs: endMs - parentClosedAt,
  };
}

async function runOne(specFile: string): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as RunSpec;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const say = (s: string) => process.stderr.write(`bench[${spec.label}]: ${s}\n`);
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const scenario = benchWorld(spec);
    const emulator = await startEmulator({ scenario });
    cleanups.unshift(() => emulator.close());
    const user = scenario.accounts.find((a) => a.id === HUB)!.users![0]!;
    const taskQueue = `bench-${spec.label}-${process.pid}`;
    const nativeConnection = await NativeConnection.connect({ address: spec.address });
    cleanups.unshift(() => nativeConnection.close());
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: spec.namespace,
      taskQueue,
      // The worker's defaults, pointed at the emulator.
      cloud: cloudConfigFromEnv({ ALICLOUD_ENDPOINT: emulator.url, ALICLOUD_ROLE_SESSION_NAME: 'fleet-run-bench' }),
      baseCredentials: () => Promise.resolve({ accessKeyId: user.accessKeyId, accessKeySecret: user.accessKeySecret }),
      workflowBundle: { codePath: spec.bundlePath },
    });
    const connection = await Connection.connect({ address: spec.address });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: spec.namespace });

    // The worker polls before the clock starts, as a long-running worker would.
    const running = worker.run();
    const died = running.then(() => {
      throw new Error('the worker stopped');
    });
    died.catch(() => undefined);
    cleanups.unshift(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    });
    for (let i = 0; i < 100 && worker.getState() !== 'RUNNING'; i++) await sleep(50);
    await sleep(WARMUP_MS);

    // Memory of this process (worker + emulator + this client) and of the Temporal server, every 500 ms.
    const base = process.memoryUsage();
    const memory: RunResult['memory'] = {
      samples: 0,
      baselineRssBytes: base.rss,
      baselineHeapUsedBytes: base.heapUsed,
      peakRssBytes: base.rss,
      peakHeapUsedBytes: base.heapUsed,
      serverPeakRssBytes: null,
    };
    const sample = () => {
      const m = process.memoryUsage();
      memory.samples++;
      memory.peakRssBytes = Math.max(memory.peakRssBytes, m.rss);
      memory.peakHeapUsedBytes = Math.max(memory.peakHeapUsedBytes, m.heapUsed);
      const server = spec.serverPid ? procStat(spec.serverPid) : null;
      if (server) memory.serverPeakRssBytes = Math.max(memory.serverPeakRssBytes ?? 0, server.rssBytes);
    };
    const sampler = setInterval(sample, SAMPLE_MS);
    sampler.unref();

    const input = benchInput(spec, spec.instancesPerCall);
    const workflowId = `bench-${spec.label}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const serverCpu0 = spec.serverPid ? procStat(spec.serverPid)?.cpuTicks : undefined;
    const cpu0 = process.cpuUsage();
    const load0 = os.loadavg()[0]!;
    let startMs = 0;
    let endMs = 0;
    let handle: WorkflowHandle | undefined;
    let cpuUsed = { user: 0, system: 0 };
    let serverCpu1: number | undefined;
    const run = async () => {
      startMs = Date.now();
      handle = await startMultiAccountExecute(client, input, { taskQueue, workflowId });
      say(`started ${workflowId} (${spec.instances} instances, ${spec.locations} locations, ${spec.mode})`);
      const progress = setInterval(() => {
        void fetch(`${emulator.url}/_emulator/stats`)
          .then((r) => r.json() as Promise<Record<string, number>>)
          .then((s) =>
            say(
              `${((Date.now() - startMs) / 1000).toFixed(0)} s: ${s.invocations} invocations, ${s.runningExecutions} running, RSS ${Math.round(process.memoryUsage().rss / MB)} MB`,
            ),
          )
          .catch(() => undefined);
      }, 15_000);
      const timer = setTimeout(() => {
        say(`timed out after ${spec.timeoutMs / 60_000} min: terminating the run`);
        void handle?.terminate('bench timeout').catch(() => undefined);
      }, spec.timeoutMs);
      try {
        return await waitForOutcome(handle);
      } finally {
        endMs = Date.now();
        cpuUsed = process.cpuUsage(cpu0);
        serverCpu1 = spec.serverPid ? procStat(spec.serverPid)?.cpuTicks : undefined;
        sample();
        clearInterval(progress);
        clearTimeout(timer);
        clearInterval(sampler);
      }
    };
    const outcome = await Promise.race([run(), died]);
    const cpu = cpuUsed;
    const ticks = clockTicks();
    say(`finished in ${((endMs - startMs) / 1000).toFixed(1)} s; collecting results, histories and the audit`);

    // Correctness: every instance Success in its child's result, executed exactly once in the cloud.
    const problems: string[] = [];
    const parentResult: MultiAccountExecuteResult | undefined = outcome.result;
    if (outcome.kind !== 'completed') problems.push(`the run failed: ${outcome.type}: ${outcome.message}`);
    else if (outcome.result.status !== 'Success') problems.push(`the run ended ${outcome.result.status}`);
    const expected = locationsOf(spec);
    let success = 0;
    const locations = parentResult?.locations ?? [];
    if (locations.length !== expected.length)
      problems.push(`${locations.length} locations reported, expected ${expected.length}`);
    for (const loc of locations) {
      const want = expected.find((e) => e.accountId === loc.accountId && e.regionId === loc.regionId)?.instances ?? 0;
      let child: BulkyRunCommandResult | undefined;
      try {
        // The parent's children return counts; the full result (every instance) is the child's query.
        child = await client.workflow.getHandle(loc.workflowId).query(resultQuery);
      } catch (err) {
        problems.push(`${loc.workflowId}: ${(err as Error).message}`);
        continue;
      }
      const instances = allInstances(child);
      const ok = instances.filter((i) => i.status === 'Success').length;
      success += ok;
      if (instances.length !== want || ok !== want) {
        problems.push(`${loc.workflowId}: ${ok}/${instances.length} Success, expected ${want}/${want}`);
      }
    }
    // The worker answered the children's result queries; now it can go.
    worker.shutdown();
    await running;
    const audit = emulator.audit();
    const executed = new Map<string, number>();
    for (const e of audit.executions) {
      const key = `${e.accountId}/${e.regionId}/${e.instanceId}`;
      executed.set(key, (executed.get(key) ?? 0) + 1);
    }
    const twice = [...executed].filter(([, n]) => n > 1);
    if (twice.length > 0) {
      problems.push(`${twice.length} instances executed more than once, e.g. ${twice[0]![0]} ×${twice[0]![1]}`);
    }
    if (executed.size !== spec.instances)
      problems.push(`${executed.size} instances executed, expected ${spec.instances}`);
    const notSuccess = audit.executions.filter((e) => e.status !== 'Success').length;
    if (notSuccess > 0) problems.push(`${notSuccess} executions did not end Success in the cloud`);

    const byAction: Record<string, number> = {};
    let failed = 0;
    for (const c of audit.calls) {
      byAction[c.action] = (byAction[c.action] ?? 0) + 1;
      if (c.httpStatus !== 200) failed++;
    }
    const runCommandCalls = byAction.RunCommand ?? 0;
    const firstByToken = new Map<string, number>();
    const repeatAfter: number[] = [];
    for (const c of audit.calls) {
      const token = c.action === 'RunCommand' ? c.params?.ClientToken : undefined;
      if (!token) continue;
      const first = firstByToken.get(token);
      if (first === undefined) firstByToken.set(token, c.time);
      else repeatAfter.push(c.time - first);
    }

    const parentHistory = await historyOf(client, spec.namespace, workflowId);
    let childEvents = 0;
    let runs = parentHistory.runs;
    const children: { workflowId: string; runIds: string[]; key: string }[] = [];
    for (const loc of locations) {
      const h = await historyOf(client, spec.namespace, loc.workflowId);
      childEvents += h.events;
      runs += h.runs;
      children.push({ workflowId: loc.workflowId, runIds: h.runIds, key: `${loc.accountId}/${loc.regionId}` });
    }
    const phases = await phasesOf(
      client,
      { workflowId, runIds: parentHistory.runIds },
      children,
      audit,
      startMs,
      endMs,
    );
    const emulatorStats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Record<string, number>;
    const { idealMs, waves } = idealSchedule(spec);
    const wallMs = endMs - startMs;
    const n = spec.instances;
    const result: RunResult = {
      spec: {
        label: spec.label,
        purpose: spec.purpose,
        mode: spec.mode,
        instancesPerCall: spec.instancesPerCall,
        instances: spec.instances,
        locations: spec.locations,
        durationMs: spec.durationMs,
        concurrency: spec.concurrency,
        locationConcurrency: spec.locationConcurrency,
        pollIntervalSeconds: spec.pollIntervalSeconds,
        timeoutMs: spec.timeoutMs,
      },
      workflowId,
      status: outcome.kind === 'completed' ? outcome.result.status : outcome.type,
      wallMs,
      idealMs,
      ratio: wallMs / idealMs,
      waves,
      correctness: {
        ok: problems.length === 0,
        problems,
        success,
        executions: audit.executions.length,
        distinctExecuted: executed.size,
      },
      calls: { total: audit.calls.length, byAction, failed, perInstance: audit.calls.length / n },
      runCommand: {
        calls: runCommandCalls,
        perInstance: runCommandCalls / n,
        instancesPerCall: runCommandCalls ? audit.executions.length / runCommandCalls : 0,
        repeated: repeatAfter.length,
        repeatAfterMs: stat(repeatAfter),
      },
      history: {
        events: parentHistory.events + childEvents,
        perInstance: (parentHistory.events + childEvents) / n,
        parentEvents: parentHistory.events,
        childEvents,
        runs,
        continuedAsNew: runs - 1 - locations.length,
      },
      memory,
      cpu: {
        processUserMs: Math.round(cpu.user / 1000),
        processSystemMs: Math.round(cpu.system / 1000),
        serverMs:
          serverCpu0 !== undefined && serverCpu1 !== undefined
            ? Math.round(((serverCpu1 - serverCpu0) * 1000) / ticks)
            : null,
      },
      emulator: emulatorStats,
      timeline: timeline(audit, spec, startMs, endMs),
      phases,
      loadAverage: [load0, os.loadavg()[0]!].map((l) => Math.round(l * 100) / 100),
    };
    fs.writeFileSync(spec.out, JSON.stringify(result, null, 2));
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- orchestration and report

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number | null) => (b === null ? 'n/a' : `${Math.round(b / MB)} MB`);
const per = (n: number) => (n >= 10 ? n.toFixed(1) : n >= 0.1 ? n.toFixed(2) : n.toFixed(3));
const statText = (s: Stat) =>
  s.n === 0 ? 'n/a' : `p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms (n=${fmtInt(s.n)})`;

function workloadText(w: Workload): string {
  const locs = locationsOf(w);
  const sizes = [...new Set(locs.map((l) => l.instances))].join('/');
  const accounts = new Set(locs.map((l) => l.accountId)).size;
  return (
    `${fmtInt(w.instances)} instances over ${w.locations} locations (${accounts} member account${accounts > 1 ? 's' : ''}, ${sizes} per location), ` +
    `command ${w.durationMs} ms, instance Concurrency ${w.concurrency}, location Concurrency ${w.locationConcurrency}, ` +
    `pollIntervalSeconds ${w.pollIntervalSeconds ?? 'default (2)'}`
  );
}

function report(r: RunResult): string {
  const t = r.timeline;
  const p = r.phases;
  const actions = Object.entries(r.calls.byAction)
    .sort((a, b) => b[1] - a[1])
    .map(([a, n]) => `${a} ${fmtInt(n)}`)
    .join(', ');
  const cpuProc = (r.cpu.processUserMs + r.cpu.processSystemMs) / 1000;
  const cpuServer = r.cpu.serverMs === null ? null : r.cpu.serverMs / 1000;
  const wallS = r.wallMs / 1000;
  const lines = [
    `== ${r.spec.label}: mode ${r.spec.mode} (instancesPerCall ${r.spec.instancesPerCall}), ${fmtInt(r.spec.instances)} instances, ${r.spec.locations} locations`,
    `  wall time              ${sec(r.wallMs)}   ideal ${sec(r.idealMs)} (${r.spec.durationMs} ms × ${r.waves} waves)   ratio ${r.ratio.toFixed(2)}  (DESIGN §9 target ≤ 1.10: ${r.ratio <= 1.1 ? 'met' : 'NOT met'})`,
    `  correctness            ${r.correctness.ok ? 'OK' : 'FAILED'}: ${fmtInt(r.correctness.success)}/${fmtInt(r.spec.instances)} Success, ${fmtInt(r.correctness.distinctExecuted)} instances executed, ${fmtInt(r.correctness.executions)} executions${r.correctness.ok ? ' (each exactly once)' : ''}`,
    ...r.correctness.problems.map((p) => `                         ! ${p}`),
    `  RunCommand calls       ${fmtInt(r.runCommand.calls)} = ${per(r.runCommand.perInstance)} per instance (${r.runCommand.instancesPerCall.toFixed(1)} instances per call)${r.runCommand.repeated ? `; ${r.runCommand.repeated} repeated an earlier ClientToken (retries; ${statText(r.runCommand.repeatAfterMs)} after the first)` : ''}`,
    `  cloud API calls        ${fmtInt(r.calls.total)} = ${per(r.calls.perInstance)} per instance; ${actions}${r.calls.failed ? `; ${r.calls.failed} failed` : ''}`,
    `  history events         ${fmtInt(r.history.events)} = ${per(r.history.perInstance)} per instance (parent ${fmtInt(r.history.parentEvents)}, children ${fmtInt(r.history.childEvents)}; ${r.history.runs} workflow runs, ${r.history.continuedAsNew} of them by continue-as-new)`,
    `  memory (this process)  RSS peak ${mb(r.memory.peakRssBytes)} (baseline ${mb(r.memory.baselineRssBytes)}, +${mb(r.memory.peakRssBytes - r.memory.baselineRssBytes)}), main-thread heap peak ${mb(r.memory.peakHeapUsedBytes)} (baseline ${mb(r.memory.baselineHeapUsedBytes)}); Temporal server RSS peak ${mb(r.memory.serverPeakRssBytes)}`,
    `  CPU during the run     worker+emulator process ${cpuProc.toFixed(1)} s (${(cpuProc / wallS).toFixed(2)} cores)${cpuServer === null ? '' : `, Temporal server ${cpuServer.toFixed(1)} s (${(cpuServer / wallS).toFixed(2)} cores)`}; 1-min load average ${r.loadAverage.join(' → ')} on ${os.cpus().length} CPUs`,
    `  emulator               ${fmtInt(r.emulator.instances ?? 0)} instances, ${fmtInt(r.emulator.invocations ?? 0)} invocations, ${r.emulator.runningExecutions ?? 0} running at the end`,
    `  where the time goes    start → first execution ${sec(t.startToFirstExecutionMs)} (→ last location's first ${sec(t.startToLastFirstExecutionMs)}); last execution end → run closed ${sec(t.lastFinishToCloseMs)}`,
    `                         per-location span over ideal: mean ${sec(t.locationSpanOverheadMs.mean)}, max ${sec(t.locationSpanOverheadMs.max)}`,
    `                         slot reuse (instance end → next start): ${statText(t.slotReuseMs)}`,
    `                           of which end → seen by a poll: ${statText(t.pollWaitMs)}`,
    `                           and seen → next execution started: ${statText(t.detectToDispatchMs)}`,
    `  from the histories     start → parent initiates children ${sec(p.parentSchedulesChildrenMs)}; → child started ${statText(p.childStartedMs)}`,
    `                         selectTargets (STS chain + DescribeInstances) ${statText(p.selectTargetsMs)}`,
    `                         start → first RunCommand done ${statText(p.firstRunCommandDoneMs)}`,
    `                         poll activity done → next RunCommand scheduled ${statText(p.pollDoneToDispatchMs)}`,
    `                         RunCommand activity schedule→start ${statText(p.runCommandScheduleToStartMs)}; start→close ${statText(p.runCommandStartToCloseMs)}`,
    `                         child workflow tasks schedule→complete ${statText(p.workflowTaskMs)}`,
    `                         tail: last execution end → last poll done ${statText(p.lastFinishToLastPollDoneMs)}; → child closed ${statText(p.lastPollDoneToChildClosedMs)}`,
    `                         tail: last child closed → parent closed ${p.lastChildToParentClosedMs} ms; → client saw the result ${p.parentClosedToResultMs} ms`,
  ];
  return lines.join('\n');
}

function summary(runs: RunResult[]): string {
  const rows = [
    [
      'run',
      'wall',
      'ideal',
      'ratio',
      'RunCommand/inst',
      'API calls/inst',
      'history/inst',
      'RSS peak',
      'heap peak',
      'OK',
    ],
    ...runs.map((r) => [
      r.spec.label,
      sec(r.wallMs),
      sec(r.idealMs),
      r.ratio.toFixed(2),
      per(r.runCommand.perInstance),
      per(r.calls.perInstance),
      per(r.history.perInstance),
      mb(r.memory.peakRssBytes),
      mb(r.memory.peakHeapUsedBytes),
      r.correctness.ok ? 'yes' : 'NO',
    ]),
  ];
  return table(rows);
}

function memoryTable(runs: RunResult[]): string {
  const rows = [
    ['instances', 'per location', 'RSS peak', 'RSS over baseline', 'heap peak', 'heap over baseline', 'wall'],
    ...runs.map((r) => [
      fmtInt(r.spec.instances),
      fmtInt(Math.ceil(r.spec.instances / r.spec.locations)),
      mb(r.memory.peakRssBytes),
      mb(r.memory.peakRssBytes - r.memory.baselineRssBytes),
      mb(r.memory.peakHeapUsedBytes),
      mb(r.memory.peakHeapUsedBytes - r.memory.baselineHeapUsedBytes),
      sec(r.wallMs),
    ]),
  ];
  return table(rows);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => '  ' + r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

function runChild(specFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--run-spec', specFile], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function orchestrate(opts: Options): Promise<number> {
  fs.mkdirSync(TMP, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const runs: RunResult[] = [];
  let failedRuns = 0;
  try {
    let address = process.env.TEMPORAL_ADDRESS;
    const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
    let server: DevServer | undefined;
    if (!address) {
      process.stderr.write('bench: starting a Temporal dev server…\n');
      server = await startDevServer();
      const s = server;
      cleanups.unshift(() => s.stop());
      address = server.address;
    }
    process.stderr.write('bench: bundling the workflows…\n');
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
    const bundlePath = path.join(TMP, `bench-bundle-${process.pid}.js`);
    fs.writeFileSync(bundlePath, bundle.code);
    cleanups.unshift(() => Promise.resolve(fs.rmSync(bundlePath, { force: true })));

    const plan: Omit<RunSpec, 'address' | 'namespace' | 'bundlePath' | 'serverPid' | 'out'>[] = [];
    const base: Workload = {
      instances: opts.instances,
      locations: opts.locations,
      durationMs: opts.durationMs,
      concurrency: opts.concurrency,
      locationConcurrency: opts.locationConcurrency,
      pollIntervalSeconds: opts.pollIntervalSeconds,
    };
    // Memory points first (smallest first), then the modes; the memory point at --instances is the ours run.
    for (const size of opts.memorySizes) {
      if (size === opts.instances && opts.modes.includes('ours')) continue;
      plan.push({
        ...base,
        instances: size,
        label: `ours-${size}`,
        purpose: 'memory',
        mode: 'ours',
        instancesPerCall: 100,
        timeoutMs: opts.timeoutMs,
      });
    }
    for (const mode of opts.modes) {
      plan.push({
        ...base,
        label: `${mode}-${opts.instances}`,
        purpose: 'modes',
        mode,
        instancesPerCall: INSTANCES_PER_CALL[mode],
        timeoutMs: opts.timeoutMs,
      });
    }

    console.log(`bench: ${workloadText(base)}`);
    console.log(
      `bench: ideal ${sec(idealSchedule(base).idealMs)} = ${base.durationMs} ms × ${idealSchedule(base).waves} waves, locations in parallel`,
    );
    console.log(
      `bench: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, Temporal at ${address}${server ? ' (dev server started here)' : ''}`,
    );
    console.log(`bench: runs: ${plan.map((p) => p.label).join(', ')}\n`);

    for (const [i, p] of plan.entries()) {
      const specFile = path.join(TMP, `bench-spec-${process.pid}-${i}.json`);
      const out = path.join(TMP, `bench-run-${process.pid}-${i}.json`);
      const spec: RunSpec = { ...p, address, namespace, bundlePath, serverPid: server?.pid, out };
      fs.writeFileSync(specFile, JSON.stringify(spec));
      const code = await runChild(specFile);
      fs.rmSync(specFile, { force: true });
      if (code !== 0 || !fs.existsSync(out)) {
        console.log(`== ${p.label}: the run process failed (exit ${code})\n`);
        failedRuns++;
        continue;
      }
      const r = JSON.parse(fs.readFileSync(out, 'utf8')) as RunResult;
      fs.rmSync(out, { force: true });
      runs.push(r);
      if (!r.correctness.ok) failedRuns++;
      console.log(`${report(r)}\n`);
    }

    const modeRuns = runs.filter((r) => r.spec.purpose === 'modes');
    if (modeRuns.length > 0) console.log(`== summary (${workloadText(base)})\n${summary(modeRuns)}\n`);
    const memRuns = runs
      .filter((r) => r.spec.mode === 'ours' && opts.memorySizes.includes(r.spec.instances))
      .sort((a, b) => a.spec.instances - b.spec.instances);
    if (memRuns.length > 0) {
      console.log(`== memory vs fleet size (mode ours, ${opts.locations} locations; each run a fresh process)`);
      console.log(memoryTable(memRuns));
      const [lo, hi] = [memRuns[0]!, memRuns[memRuns.length - 1]!];
      if (memRuns.length > 1) {
        const growth = (hi.memory.peakRssBytes - lo.memory.peakRssBytes) / MB;
        const perK = growth / ((hi.spec.instances - lo.spec.instances) / 1000);
        console.log(
          `  RSS peak grows ${growth.toFixed(0)} MB from ${fmtInt(lo.spec.instances)} to ${fmtInt(hi.spec.instances)} instances (${perK.toFixed(1)} MB per 1,000 instances); the process holds the worker, the emulator's world and audit, and the bench client`,
        );
      }
      console.log('');
    }

    const file = opts.out ?? path.join(TMP, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: {
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model,
            node: process.version,
            totalMemBytes: os.totalmem(),
          },
          temporal: { address, devServer: Boolean(server) },
          workload: base,
          ideal: idealSchedule(base),
          runs,
        },
        null,
        2,
      ),
    );
    console.log(`bench: results written to ${path.relative(ROOT, file)}`);
    return failedRuns === 0 ? 0 : 1;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if ('runSpec' in parsed) {
    await runOne(parsed.runSpec);
    return 0;
  }
  return orchestrate(parsed);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`bench: ${err.message} (see npm run bench -- --help)`);
      process.exit(2);
    }
    console.error(`bench: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
