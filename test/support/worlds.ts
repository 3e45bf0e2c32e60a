// Emulator worlds for integration tests: the seed's accounts and trust policies, with simulated fleets.
import type { Behavior, InstanceSpec, Scenario } from '../../emulator/scenario';
import { loadScenario } from '../../emulator/scenario';
import seedJson from '../../examples/seed-input.json';
import type { MultiAccountExecuteInput } from '../../contract/input';

/** examples/seed-input.json, typed. */
export const seedInput = seedJson as MultiAccountExecuteInput;

export const MEMBER = '654321';
export const CHAIN = 'OOSServiceRole|654321/OOSServiceRole';

/** One simulated instance: `i-NN` ids sort in dispatch order. */
export function instance(n: number, behavior: Behavior, extra: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    id: `i-${String(n).padStart(3, '0')}`,
    status: 'Running',
    osType: 'linux',
    agent: 'online',
    behavior,
    ...extra,
  };
}

/** n instances, each with the behaviour `at(index)` gives (index from 1). */
export function fleet(n: number, at: (index: number) => Behavior): InstanceSpec[] {
  return Array.from({ length: n }, (_, i) => instance(i + 1, at(i + 1)));
}

/** The seed world (hub 123456, member 654321) in simulate mode, with these instances per region of 654321. */
export function simulatedWorld(regions: Record<string, InstanceSpec[]>, faults?: Scenario['faults']): Scenario {
  const world = loadScenario('examples/seed-world.json');
  world.execution = 'simulate';
  const member = world.accounts.find((a) => a.id === MEMBER)!;
  member.regions = Object.fromEntries(Object.entries(regions).map(([region, instances]) => [region, { instances }]));
  if (faults) world.faults = faults;
  return world;
}

/** The seed input for these regions of 654321, with templateParameters overridden. */
export function seedRun(
  regions: string[],
  params: Record<string, unknown> = {},
  top: Partial<MultiAccountExecuteInput> = {},
): MultiAccountExecuteInput {
  return {
    ...seedInput,
    accountRoleAndRegions: regions.map((RegionId) => ({ OOSAssumeRole: CHAIN, RegionId })),
    templateParameters: { ...seedInput.templateParameters, pollIntervalSeconds: 0.1, ...params },
    ...top,
  };
}

/** The child's own input for one region (to run bulkyRunCommand directly). */
export function childInput(regionId: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...seedInput.templateParameters,
    targets: { Type: 'All', Parameters: { Status: 'Running' } },
    regionId,
    OOSAssumeRole: CHAIN,
    pollIntervalSeconds: 0.1,
    ...params,
  };
}

/** Most executions running at the same time, from the emulator's audit. */
export function maxOverlap(executions: { startTime: number; finishTime: number | null }[]): number {
  const events = executions.flatMap((e) => [
    [e.startTime, 1],
    [e.finishTime ?? Number.MAX_SAFE_INTEGER, -1],
  ]);
  // Ends sort before starts at the same millisecond: a slot freed and reused at once is not an overlap.
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let now = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (now += delta!));
  return max;
}
