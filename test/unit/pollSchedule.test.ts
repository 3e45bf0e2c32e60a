// The poll schedule as a table: (age, poll interval, expected duration) → ms until the next poll.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextPollDelay } from '../../activities/pollSchedule';

const cases: { name: string; age: number | undefined; interval: number; expected?: number; delay: number }[] = [
  { name: 'age unknown (carried over continue-as-new): the interval', age: undefined, interval: 2000, delay: 2000 },
  { name: 'just sent: the 100 ms floor', age: 0, interval: 2000, delay: 100 },
  { name: 'negative age (clock rounding) counts as 0', age: -50, interval: 2000, delay: 100 },
  { name: '1 s old: 20% of its age', age: 1000, interval: 2000, delay: 200 },
  { name: '5 s old: 1 s', age: 5000, interval: 2000, delay: 1000 },
  { name: '60 s old: capped at the interval', age: 60_000, interval: 2000, delay: 2000 },
  { name: 'an interval under the floor wins: 50 ms', age: 0, interval: 50, delay: 50 },
  { name: 'a long interval: the ramp still starts at 100 ms', age: 0, interval: 60_000, delay: 100 },
  { name: 'a long interval: 10 min old → 2 min, capped at 60 s', age: 600_000, interval: 60_000, delay: 60_000 },
  { name: 'expected 2 s, just sent: wait until 1.6 s', age: 0, interval: 2000, expected: 2000, delay: 1600 },
  { name: 'expected 2 s, 1 s old: wait 0.6 s', age: 1000, interval: 2000, expected: 2000, delay: 600 },
  { name: 'expected 2 s, 1.7 s old: every 5% (100 ms)', age: 1700, interval: 2000, expected: 2000, delay: 100 },
  { name: 'expected 10 s, 9 s old: every 500 ms', age: 9000, interval: 2000, expected: 10_000, delay: 500 },
  {
    name: 'expected 2 s, 4 s old (past 150%): the age ramp again',
    age: 4000,
    interval: 2000,
    expected: 2000,
    delay: 800,
  },
  { name: 'expected 60 s, just sent: capped at the interval', age: 0, interval: 2000, expected: 60_000, delay: 2000 },
  { name: 'expected 50 ms: the floor', age: 0, interval: 2000, expected: 50, delay: 100 },
  { name: 'expected 0 is ignored: the age ramp', age: 1000, interval: 2000, expected: 0, delay: 200 },
  { name: 'expected NaN is ignored', age: 1000, interval: 2000, expected: Number.NaN, delay: 200 },
];

for (const c of cases) {
  test(`poll schedule: ${c.name}`, () => {
    const delay = nextPollDelay(c.age, { pollIntervalMs: c.interval, expectedDurationMs: c.expected });
    assert.equal(Math.round(delay), c.delay);
  });
}

test('poll schedule: a 0.3 s command first polled at 0 is seen by ~0.36 s, a 1 h one costs ~40 polls more than a 2 s interval', () => {
  const polls = (endMs: number) => {
    const times: number[] = [];
    for (let t = 0; times.length < 10_000; t += nextPollDelay(t, { pollIntervalMs: 2000 })) {
      times.push(t);
      if (t >= endMs) break;
    }
    return times;
  };
  const short = polls(300);
  assert.ok(short.at(-1)! <= 360, `seen at ${short.at(-1)} ms`);
  const long = polls(3_600_000);
  assert.ok(long.length - 3_600_000 / 2000 < 40, `${long.length} polls`);
});
