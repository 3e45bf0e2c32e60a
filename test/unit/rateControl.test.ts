// RateControl arithmetic and grammar (DESIGN §4), as tables with exact expected outcomes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  pausesBeforeWave,
  planWaves,
  rateControlChangeSchema,
  rateControlSchema,
  resolveMaxErrors,
  resolveSize,
  type CountOrPercent,
  type RateControl,
  type Wave,
} from '../../contract/rateControl';

// ---------------------------------------------------------------------------------------------------
// resolveSize: a count as given; P% = max(1, floor(P% × total)).
const sizeCases: { name: string; value: CountOrPercent; total: number; expected: number }[] = [
  { name: 'count 1', value: 1, total: 10, expected: 1 },
  { name: 'count 10 of 3 (a count is not capped here)', value: 10, total: 3, expected: 10 },
  { name: 'digit string "7" is a count', value: '7', total: 100, expected: 7 },
  { name: 'digit string with spaces " 7 "', value: ' 7 ', total: 100, expected: 7 },
  { name: '"10%" of 20', value: '10%', total: 20, expected: 2 },
  { name: '"25%" of 8', value: '25%', total: 8, expected: 2 },
  { name: '"12.5%" of 8', value: '12.5%', total: 8, expected: 1 },
  { name: '"10%" of 30 (3.0000000000000004 in floats)', value: '10%', total: 30, expected: 3 },
  { name: '"7%" of 100 (7.000000000000001 in floats)', value: '7%', total: 100, expected: 7 },
  { name: '"29%" of 100', value: '29%', total: 100, expected: 29 },
  { name: '"57%" of 100', value: '57%', total: 100, expected: 57 },
  { name: '"1.1%" of 1000', value: '1.1%', total: 1000, expected: 11 },
  { name: '"14.28%" of 700 (99.96)', value: '14.28%', total: 700, expected: 99 },
  { name: '"100%" of 37', value: '100%', total: 37, expected: 37 },
  { name: '"50%" of 9 floors to 4', value: '50%', total: 9, expected: 4 },
  { name: '"10%" of 5 floors to 0, minimum 1', value: '10%', total: 5, expected: 1 },
  { name: '"1%" of 1 -> minimum 1', value: '1%', total: 1, expected: 1 },
  { name: '"10%" of 0 -> minimum 1', value: '10%', total: 0, expected: 1 },
  { name: '"99.9999999999%" of 1000 is 999.999999999 -> 999', value: '99.9999999999%', total: 1000, expected: 999 },
  { name: '"100.0%" of 4', value: '100.0%', total: 4, expected: 4 },
];
for (const c of sizeCases) {
  test(`resolveSize: ${c.name} -> ${c.expected}`, () => {
    assert.equal(resolveSize(c.value, c.total), c.expected);
  });
}

// ---------------------------------------------------------------------------------------------------
// resolveMaxErrors: a count as given; P% = floor(P% × total); undefined = 0.
const maxErrorCases: { name: string; value: CountOrPercent | undefined; total: number; expected: number }[] = [
  { name: 'undefined -> 0 (stop after the first error)', value: undefined, total: 50, expected: 0 },
  { name: 'count 0', value: 0, total: 50, expected: 0 },
  { name: 'count 3', value: 3, total: 50, expected: 3 },
  { name: 'digit string "4"', value: '4', total: 50, expected: 4 },
  { name: '"0%"', value: '0%', total: 50, expected: 0 },
  { name: '"10%" of 20', value: '10%', total: 20, expected: 2 },
  { name: '"25%" of 8', value: '25%', total: 8, expected: 2 },
  { name: '"12.5%" of 8', value: '12.5%', total: 8, expected: 1 },
  { name: '"10%" of 30', value: '10%', total: 30, expected: 3 },
  { name: '"7%" of 100', value: '7%', total: 100, expected: 7 },
  { name: '"100%" of 13', value: '100%', total: 13, expected: 13 },
  { name: '"10%" of 5 floors to 0 (no minimum)', value: '10%', total: 5, expected: 0 },
  { name: '"5%" of 39 floors to 1', value: '5%', total: 39, expected: 1 },
  { name: '"33.3333333333%" of 3 is 0.999999999999 -> 0', value: '33.3333333333%', total: 3, expected: 0 },
  { name: '"50%" of 0', value: '50%', total: 0, expected: 0 },
];
for (const c of maxErrorCases) {
  test(`resolveMaxErrors: ${c.name} -> ${c.expected}`, () => {
    assert.equal(resolveMaxErrors(c.value, c.total), c.expected);
  });
}

test('resolveSize / resolveMaxErrors throw on text that is neither a count nor a percentage', () => {
  assert.throws(() => resolveSize('abc', 10), /not a count or percentage/);
  assert.throws(() => resolveMaxErrors('1.5', 10), /not a count or percentage/);
  assert.throws(() => resolveSize(1.5, 10), /not a count or percentage/);
});

// ---------------------------------------------------------------------------------------------------
// planWaves
const w = (size: number, concurrency: number): Wave => ({ size, concurrency });
const waveCases: { name: string; rc: RateControl; total: number; expected: Wave[] }[] = [
  {
    name: 'Concurrency mode: one wave of everything, Concurrency as given',
    rc: { Mode: 'Concurrency', Concurrency: 10, MaxErrors: 0 },
    total: 25,
    expected: [w(25, 10)],
  },
  {
    name: 'Concurrency mode: "10%" of 25 -> 2',
    rc: { Mode: 'Concurrency', Concurrency: '10%' },
    total: 25,
    expected: [w(25, 2)],
  },
  {
    name: 'Concurrency mode: default Concurrency is 10',
    rc: { Mode: 'Concurrency' },
    total: 40,
    expected: [w(40, 10)],
  },
  {
    name: 'Concurrency mode: Concurrency above total stays as given',
    rc: { Mode: 'Concurrency', Concurrency: 50 },
    total: 4,
    expected: [w(4, 50)],
  },
  {
    name: 'Batch [1, "50%"] of 10 -> [1, 5, 4]',
    rc: { Mode: 'Batch', Batch: [1, '50%'] },
    total: 10,
    expected: [w(1, 1), w(5, 5), w(4, 4)],
  },
  {
    name: 'Batch [1, "20%", "100%"] of 10 -> last wave takes the rest',
    rc: { Mode: 'Batch', Batch: [1, '20%', '100%'] },
    total: 10,
    expected: [w(1, 1), w(2, 2), w(7, 7)],
  },
  {
    name: 'Batch [2] of 7: the last entry repeats',
    rc: { Mode: 'Batch', Batch: [2] },
    total: 7,
    expected: [w(2, 2), w(2, 2), w(2, 2), w(1, 1)],
  },
  {
    name: 'Batch ["10%"] of 5: floor 0 -> minimum 1 per wave',
    rc: { Mode: 'Batch', Batch: ['10%'] },
    total: 5,
    expected: [w(1, 1), w(1, 1), w(1, 1), w(1, 1), w(1, 1)],
  },
  {
    name: 'Batch [5, 1] of 3: the first wave is cut to what exists',
    rc: { Mode: 'Batch', Batch: [5, 1] },
    total: 3,
    expected: [w(3, 3)],
  },
  {
    name: 'Batch [1, 2, 3] of 20: 3 repeats',
    rc: { Mode: 'Batch', Batch: [1, 2, 3] },
    total: 20,
    expected: [w(1, 1), w(2, 2), w(3, 3), w(3, 3), w(3, 3), w(3, 3), w(3, 3), w(2, 2)],
  },
  {
    name: 'ConcurrencyInBatches [2] repeats for every wave',
    rc: { Mode: 'Batch', Batch: ['50%'], ConcurrencyInBatches: [2] },
    total: 10,
    expected: [w(5, 2), w(5, 2)],
  },
  {
    name: 'ConcurrencyInBatches ["10%", 3] of 20 with Batch [4, 10]: capped by wave size, last repeats',
    rc: { Mode: 'Batch', Batch: [4, 10], ConcurrencyInBatches: ['10%', 3] },
    total: 20,
    expected: [w(4, 2), w(10, 3), w(6, 3)],
  },
  {
    name: 'ConcurrencyInBatches above the wave size is capped to the size',
    rc: { Mode: 'Batch', Batch: [1, 3], ConcurrencyInBatches: [100] },
    total: 4,
    expected: [w(1, 1), w(3, 3)],
  },
  { name: 'Batch of 0 items: no waves', rc: { Mode: 'Batch', Batch: [1] }, total: 0, expected: [] },
  {
    name: 'Concurrency mode of 0 items: one empty wave',
    rc: { Mode: 'Concurrency', Concurrency: 5 },
    total: 0,
    expected: [w(0, 5)],
  },
];
for (const c of waveCases) {
  test(`planWaves: ${c.name}`, () => {
    const waves = planWaves(c.rc, c.total);
    assert.deepEqual(waves, c.expected);
    assert.equal(
      waves.reduce((n, x) => n + x.size, 0),
      c.total,
      'every item is in exactly one wave',
    );
  });
}

// ---------------------------------------------------------------------------------------------------
// pausesBeforeWave: which waves (0-based) wait for `resume`.
const pauseCases: { name: string; rc: RateControl; expected: boolean[] }[] = [
  {
    name: 'Concurrency mode never pauses',
    rc: { Mode: 'Concurrency', Concurrency: 1 },
    expected: [false, false, false, false],
  },
  { name: 'Batch default is Automatic', rc: { Mode: 'Batch', Batch: [1] }, expected: [false, false, false, false] },
  {
    name: 'Automatic',
    rc: { Mode: 'Batch', Batch: [1], BatchPauseOption: 'Automatic' },
    expected: [false, false, false, false],
  },
  {
    name: 'FirstBatchPause: only before wave 2',
    rc: { Mode: 'Batch', Batch: [1], BatchPauseOption: 'FirstBatchPause' },
    expected: [false, true, false, false],
  },
  {
    name: 'EveryBatchPause: before every wave after the first',
    rc: { Mode: 'Batch', Batch: [1], BatchPauseOption: 'EveryBatchPause' },
    expected: [false, true, true, true],
  },
];
for (const c of pauseCases) {
  test(`pausesBeforeWave: ${c.name}`, () => {
    assert.deepEqual(
      c.expected.map((_, i) => pausesBeforeWave(c.rc, i)),
      c.expected,
    );
  });
}

// ---------------------------------------------------------------------------------------------------
// rateControlSchema: accepted and rejected inputs, with the path and message of the first issue.
const schemaCases: { name: string; input: unknown; ok: boolean; path?: (string | number)[]; message?: RegExp }[] = [
  { name: 'seed rate control', input: { Mode: 'Concurrency', MaxErrors: 0, Concurrency: 10 }, ok: true },
  { name: 'percentages', input: { Mode: 'Concurrency', MaxErrors: '5%', Concurrency: '10%' }, ok: true },
  { name: 'Mode only', input: { Mode: 'Concurrency' }, ok: true },
  { name: 'decimal percentage', input: { Mode: 'Concurrency', Concurrency: '12.5%' }, ok: true },
  { name: 'MaxErrors "0%"', input: { Mode: 'Concurrency', MaxErrors: '0%' }, ok: true },
  { name: 'MaxErrors "100%"', input: { Mode: 'Concurrency', MaxErrors: '100%' }, ok: true },
  { name: 'digit string Concurrency', input: { Mode: 'Concurrency', Concurrency: '5' }, ok: true },
  {
    name: 'full Batch',
    input: {
      Mode: 'Batch',
      Batch: [1, '20%', '100%'],
      ConcurrencyInBatches: [1, '50%'],
      BatchPauseOption: 'FirstBatchPause',
      MaxErrors: '10%',
    },
    ok: true,
  },
  {
    name: 'Concurrency "abc"',
    input: { Mode: 'Concurrency', Concurrency: 'abc' },
    ok: false,
    path: ['Concurrency'],
    message: /integer from 1 to 1000000 or a percentage/,
  },
  {
    name: 'Concurrency 0',
    input: { Mode: 'Concurrency', Concurrency: 0 },
    ok: false,
    path: ['Concurrency'],
    message: /an integer from 1 to 1000000/,
  },
  {
    name: 'Concurrency "0%"',
    input: { Mode: 'Concurrency', Concurrency: '0%' },
    ok: false,
    path: ['Concurrency'],
    message: /above "0%"/,
  },
  {
    name: 'Concurrency "150%"',
    input: { Mode: 'Concurrency', Concurrency: '150%' },
    ok: false,
    path: ['Concurrency'],
    message: /up to "100%"/,
  },
  {
    name: 'Concurrency -1',
    input: { Mode: 'Concurrency', Concurrency: -1 },
    ok: false,
    path: ['Concurrency'],
    message: /an integer from 1 to 1000000/,
  },
  {
    name: 'Concurrency 1.5',
    input: { Mode: 'Concurrency', Concurrency: 1.5 },
    ok: false,
    path: ['Concurrency'],
    message: /an integer from 1 to 1000000/,
  },
  {
    name: 'Concurrency "-5%"',
    input: { Mode: 'Concurrency', Concurrency: '-5%' },
    ok: false,
    path: ['Concurrency'],
    message: /percentage/,
  },
  {
    name: 'Concurrency 2,000,000 (over 1,000,000)',
    input: { Mode: 'Concurrency', Concurrency: 2_000_000 },
    ok: false,
    path: ['Concurrency'],
    message: /an integer from 1 to 1000000/,
  },
  {
    name: 'Concurrency true',
    input: { Mode: 'Concurrency', Concurrency: true },
    ok: false,
    path: ['Concurrency'],
    message: /Concurrency: an integer/,
  },
  {
    name: 'MaxErrors -1',
    input: { Mode: 'Concurrency', MaxErrors: -1 },
    ok: false,
    path: ['MaxErrors'],
    message: /integer from 0 to 1000000 or a percentage from "0%" to "100%"/,
  },
  {
    name: 'MaxErrors "101%"',
    input: { Mode: 'Concurrency', MaxErrors: '101%' },
    ok: false,
    path: ['MaxErrors'],
    message: /"0%" to "100%"/,
  },
  {
    name: 'MaxErrors "5 %"',
    input: { Mode: 'Concurrency', MaxErrors: '5 %' },
    ok: false,
    path: ['MaxErrors'],
    message: /MaxErrors/,
  },
  { name: 'unknown Mode', input: { Mode: 'Parallel' }, ok: false, path: ['Mode'], message: /"Concurrency" or "Batch"/ },
  { name: 'missing Mode', input: { Concurrency: 1 }, ok: false, path: ['Mode'], message: /"Concurrency" or "Batch"/ },
  { name: 'not an object', input: 'Concurrency', ok: false, path: [], message: /Concurrency|Batch|object/ },
  {
    name: 'extra key in Concurrency mode',
    input: { Mode: 'Concurrency', Concurrency: 1, Batch: [1] },
    ok: false,
    path: [],
    message: /Batch/,
  },
  {
    name: 'extra key in Batch mode',
    input: { Mode: 'Batch', Batch: [1], Concurrency: 1 },
    ok: false,
    path: [],
    message: /Concurrency/,
  },
  { name: 'Batch missing', input: { Mode: 'Batch' }, ok: false, path: ['Batch'], message: /Batch: a list/ },
  { name: 'Batch empty', input: { Mode: 'Batch', Batch: [] }, ok: false, path: ['Batch'], message: /Batch: a list/ },
  {
    name: 'Batch entry "150%"',
    input: { Mode: 'Batch', Batch: [1, '150%'] },
    ok: false,
    path: ['Batch', 1],
    message: /Batch entry: an integer from 1 to 1000000 or a percentage/,
  },
  {
    name: 'Batch entry 0',
    input: { Mode: 'Batch', Batch: [0] },
    ok: false,
    path: ['Batch', 0],
    message: /Batch entry/,
  },
  {
    name: 'ConcurrencyInBatches entry "abc"',
    input: { Mode: 'Batch', Batch: [1], ConcurrencyInBatches: ['abc'] },
    ok: false,
    path: ['ConcurrencyInBatches', 0],
    message: /ConcurrencyInBatches entry/,
  },
  {
    name: 'unknown BatchPauseOption',
    input: { Mode: 'Batch', Batch: [1], BatchPauseOption: 'Sometimes' },
    ok: false,
    path: ['BatchPauseOption'],
    message: /Automatic, FirstBatchPause, EveryBatchPause/,
  },
];
for (const c of schemaCases) {
  test(`rateControlSchema: ${c.name} -> ${c.ok ? 'accepted' : 'rejected'}`, () => {
    const r = rateControlSchema.safeParse(c.input);
    assert.equal(r.success, c.ok, r.success ? 'accepted' : JSON.stringify(r.error.issues));
    if (!r.success) {
      const issue = r.error.issues[0]!;
      assert.deepEqual(issue.path, c.path);
      assert.match(issue.message, c.message!);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// rateControlChangeSchema (the setRateControl update's validator)
const changeCases: { name: string; input: unknown; ok: boolean; path?: (string | number)[]; message?: RegExp }[] = [
  { name: 'Concurrency only', input: { Concurrency: 5 }, ok: true },
  { name: 'MaxErrors only', input: { MaxErrors: '10%' }, ok: true },
  { name: 'both', input: { Concurrency: '50%', MaxErrors: 0 }, ok: true },
  { name: 'empty change', input: {}, ok: false, path: [], message: /Concurrency and\/or MaxErrors/ },
  {
    name: 'Concurrency 0',
    input: { Concurrency: 0 },
    ok: false,
    path: ['Concurrency'],
    message: /an integer from 1 to 1000000/,
  },
  { name: 'MaxErrors "abc"', input: { MaxErrors: 'abc' }, ok: false, path: ['MaxErrors'], message: /MaxErrors/ },
  { name: 'Mode is not changeable', input: { Mode: 'Batch', Concurrency: 1 }, ok: false, path: [], message: /Mode/ },
];
for (const c of changeCases) {
  test(`rateControlChangeSchema: ${c.name} -> ${c.ok ? 'accepted' : 'rejected'}`, () => {
    const r = rateControlChangeSchema.safeParse(c.input);
    assert.equal(r.success, c.ok, r.success ? 'accepted' : JSON.stringify(r.error.issues));
    if (!r.success) {
      const issue = r.error.issues[0]!;
      assert.deepEqual(issue.path, c.path);
      assert.match(issue.message, c.message!);
    }
  });
}
