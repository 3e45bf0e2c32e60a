// When to poll an invocation again. A fixed interval makes every wave of a short command wait for the
// next tick (a 0.3 s command polled every 2 s runs at 2 s a wave); polling fast forever wastes API calls
// on long commands. So the gap grows with the invocation's age (the next poll at 1.2 × its age, so an end
// is seen at most 20% late), and once the run has seen how long the command takes, polls cluster around
// that: the first at 80% of it, then every 5% until 150%. Never more often than every 100 ms, never less
// often than the poll interval. Ages are measured on the workflow's clock plus the activity's own
// elapsed time, so a skew between the worker's and the server's clocks does not matter.

/** Smallest gap between two polls of one invocation (unless the poll interval is smaller). */
export const MIN_POLL_GAP_MS = 100;
/** Without a known duration, the next poll comes after this share of the invocation's age. */
const AGE_RAMP = 0.2;
/** With a known duration: first poll at this share of it, then every NEAR of it until LATE of it. */
const EARLY = 0.8;
const NEAR = 0.05;
const LATE = 1.5;

export interface PollSchedule {
  pollIntervalMs: number;
  /** The shortest time the run has seen from sending a command to seeing it end; undefined until then. */
  expectedDurationMs?: number;
}

/** Ms until an invocation sent `ageMs` ago (undefined: unknown, e.g. carried over a continue-as-new) is polled again. */
export function nextPollDelay(ageMs: number | undefined, schedule: PollSchedule): number {
  const interval = schedule.pollIntervalMs;
  if (ageMs === undefined || !Number.isFinite(ageMs)) return interval;
  const floor = Math.min(MIN_POLL_GAP_MS, interval);
  const age = Math.max(0, ageMs);
  const expected = schedule.expectedDurationMs;
  let delay = AGE_RAMP * age;
  if (expected !== undefined && Number.isFinite(expected) && expected > 0) {
    if (age < EARLY * expected) delay = EARLY * expected - age;
    else if (age < LATE * expected) delay = Math.min(delay, NEAR * expected);
  }
  return Math.min(Math.max(delay, floor), interval);
}
