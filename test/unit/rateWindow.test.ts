// RateWindow (DESIGN §4): sliding window per item, waves, MaxErrors, pause/resume and live changes.
// Two tables: whole-run simulations with a fixed driver, and step-by-step scripts with the exact state
// expected after every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RateControl, RateControlChange } from '../../contract/rateControl';
import { RateWindow } from '../../workflows/rateWindow';

// ---------------------------------------------------------------------------------------------------
// Simulation: the driver starts as many items as available() allows, then finishes the oldest running
// item (FIFO) with the next outcome of the table, and repeats until nothing runs and nothing may start.
// A paused window (FirstBatchPause/EveryBatchPause) is resumed at once and the pause is counted.

interface SimResult {
  /** The n of every start(n) call, in order. */
  starts: number[];
  started: number;
  errors: number;
  /** Most items running at once. */
  maxRunning: number;
  tripped: boolean;
  /** How many times the window waited for resume. */
  pauses: number;
  /** Items never started (Skipped). */
  skipped: number;
}

function simulate(total: number, rc: RateControl, outcomes: ('ok' | 'fail')[]): SimResult {
  const win = new RateWindow(total, rc);
  const r: SimResult = { starts: [], started: 0, errors: 0, maxRunning: 0, tripped: false, pauses: 0, skipped: 0 };
  const running: number[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    if (win.waitingForResume) {
      r.pauses++;
      win.resume();
    }
    const n = Math.min(win.available(), total - r.started);
    if (n > 0) {
      win.start(n);
      r.starts.push(n);
      for (let i = 0; i < n; i++) running.push(r.started + i);
      r.started += n;
      r.maxRunning = Math.max(r.maxRunning, win.running);
      continue;
    }
    const item = running.shift();
    if (item === undefined) break;
    win.finish(outcomes[item] === 'fail');
  }
  assert.equal(win.available(), 0, 'a finished or tripped run has no free slot');
  assert.equal(win.running, 0);
  r.errors = win.errors;
  r.tripped = win.tripped;
  r.skipped = total - r.started;
  return r;
}

const ok = (n: number): 'ok'[] => Array<'ok'>(n).fill('ok');
const fail = (n: number): 'fail'[] => Array<'fail'>(n).fill('fail');

const simCases: {
  name: string;
  total: number;
  rc: RateControl;
  outcomes: ('ok' | 'fail')[];
  expected: SimResult;
}[] = [
  {
    name: 'MaxErrors 0, Concurrency 1, [ok, fail, ok...]: stops after the first error (2 started)',
    total: 5,
    rc: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 },
    outcomes: ['ok', 'fail', 'ok', 'ok', 'ok'],
    expected: { starts: [1, 1], started: 2, errors: 1, maxRunning: 1, tripped: true, pauses: 0, skipped: 3 },
  },
  {
    name: 'MaxErrors 0, Concurrency 1, first item fails: 1 started',
    total: 5,
    rc: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 },
    outcomes: fail(5),
    expected: { starts: [1], started: 1, errors: 1, maxRunning: 1, tripped: true, pauses: 0, skipped: 4 },
  },
  {
    name: 'MaxErrors 0, Concurrency 1, all succeed: everything runs one at a time',
    total: 5,
    rc: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 },
    outcomes: ok(5),
    expected: { starts: [1, 1, 1, 1, 1], started: 5, errors: 0, maxRunning: 1, tripped: false, pauses: 0, skipped: 0 },
  },
  {
    name: 'MaxErrors 3 of 10, first 6 fail, Concurrency 1: 4 started, 4 failed',
    total: 10,
    rc: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 3 },
    outcomes: [...fail(6), ...ok(4)],
    expected: { starts: [1, 1, 1, 1], started: 4, errors: 4, maxRunning: 1, tripped: true, pauses: 0, skipped: 6 },
  },
  {
    name: 'MaxErrors 3 of 10, 3 failures only: within MaxErrors, all 10 run',
    total: 10,
    rc: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 3 },
    outcomes: [...fail(3), ...ok(7)],
    expected: {
      starts: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      started: 10,
      errors: 3,
      maxRunning: 1,
      tripped: false,
      pauses: 0,
      skipped: 0,
    },
  },
  {
    name: 'MaxErrors "10%" of 20 (= 2), all fail, Concurrency 1: 3 started',
    total: 20,
    rc: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: '10%' },
    outcomes: fail(20),
    expected: { starts: [1, 1, 1], started: 3, errors: 3, maxRunning: 1, tripped: true, pauses: 0, skipped: 17 },
  },
  {
    name: 'MaxErrors 0, Concurrency 3, all fail: the 3 already running finish, nothing more starts',
    total: 10,
    rc: { Mode: 'Concurrency', Concurrency: 3, MaxErrors: 0 },
    outcomes: fail(10),
    expected: { starts: [3], started: 3, errors: 3, maxRunning: 3, tripped: true, pauses: 0, skipped: 7 },
  },
  {
    name: 'Concurrency 3 of 7, all ok: sliding window refills one slot at a time',
    total: 7,
    rc: { Mode: 'Concurrency', Concurrency: 3, MaxErrors: 0 },
    outcomes: ok(7),
    expected: { starts: [3, 1, 1, 1, 1], started: 7, errors: 0, maxRunning: 3, tripped: false, pauses: 0, skipped: 0 },
  },
  {
    name: 'Concurrency "25%" of 8 (= 2), all ok',
    total: 8,
    rc: { Mode: 'Concurrency', Concurrency: '25%' },
    outcomes: ok(8),
    expected: {
      starts: [2, 1, 1, 1, 1, 1, 1],
      started: 8,
      errors: 0,
      maxRunning: 2,
      tripped: false,
      pauses: 0,
      skipped: 0,
    },
  },
  {
    name: 'Batch [1, "50%"] of 10, all ok: waves 1, 5, 4',
    total: 10,
    rc: { Mode: 'Batch', Batch: [1, '50%'], MaxErrors: 0 },
    outcomes: ok(10),
    expected: { starts: [1, 5, 4], started: 10, errors: 0, maxRunning: 5, tripped: false, pauses: 0, skipped: 0 },
  },
  {
    name: 'Batch [3] of 6: waves never overlap (3 then 3)',
    total: 6,
    rc: { Mode: 'Batch', Batch: [3] },
    outcomes: ok(6),
    expected: { starts: [3, 3], started: 6, errors: 0, maxRunning: 3, tripped: false, pauses: 0, skipped: 0 },
  },
  {
    name: 'Batch [2], ConcurrencyInBatches [1] of 5: one at a time, inside waves',
    total: 5,
    rc: { Mode: 'Batch', Batch: [2], ConcurrencyInBatches: [1] },
    outcomes: ok(5),
    expected: { starts: [1, 1, 1, 1, 1], started: 5, errors: 0, maxRunning: 1, tripped: false, pauses: 0, skipped: 0 },
  },
  {
    name: 'Batch [4], ConcurrencyInBatches [2] of 8: sliding window inside each wave',
    total: 8,
    rc: { Mode: 'Batch', Batch: [4], ConcurrencyInBatches: [2] },
    outcomes: ok(8),
    expected: {
      starts: [2, 1, 1, 2, 1, 1],
      started: 8,
      errors: 0,
      maxRunning: 2,
      tripped: false,
      pauses: 0,
      skipped: 0,
    },
  },
  {
    name: 'Batch [1, "50%"] of 10, MaxErrors 1, wave 2 has 2 failures: wave 3 never starts',
    total: 10,
    rc: { Mode: 'Batch', Batch: [1, '50%'], MaxErrors: 1 },
    outcomes: ['ok', 'fail', 'fail', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'],
    expected: { starts: [1, 5], started: 6, errors: 2, maxRunning: 5, tripped: true, pauses: 0, skipped: 4 },
  },
  {
    name: 'Batch [2] of 6 FirstBatchPause: one pause (before wave 2)',
    total: 6,
    rc: { Mode: 'Batch', Batch: [2], BatchPauseOption: 'FirstBatchPause' },
    outcomes: ok(6),
    expected: { starts: [2, 2, 2], started: 6, errors: 0, maxRunning: 2, tripped: false, pauses: 1, skipped: 0 },
  },
  {
    name: 'Batch [2] of 6 EveryBatchPause: a pause before waves 2 and 3',
    total: 6,
    rc: { Mode: 'Batch', Batch: [2], BatchPauseOption: 'EveryBatchPause' },
    outcomes: ok(6),
    expected: { starts: [2, 2, 2], started: 6, errors: 0, maxRunning: 2, tripped: false, pauses: 2, skipped: 0 },
  },
  {
    name: 'Batch [2] of 6 Automatic: no pause',
    total: 6,
    rc: { Mode: 'Batch', Batch: [2], BatchPauseOption: 'Automatic' },
    outcomes: ok(6),
    expected: { starts: [2, 2, 2], started: 6, errors: 0, maxRunning: 2, tripped: false, pauses: 0, skipped: 0 },
  },
  {
    name: 'zero items: nothing starts',
    total: 0,
    rc: { Mode: 'Concurrency', Concurrency: 10 },
    outcomes: [],
    expected: { starts: [], started: 0, errors: 0, maxRunning: 0, tripped: false, pauses: 0, skipped: 0 },
  },
];
for (const c of simCases) {
  test(`simulate: ${c.name}`, () => {
    assert.deepEqual(simulate(c.total, c.rc, c.outcomes), c.expected);
  });
}

// ---------------------------------------------------------------------------------------------------
// Scripts: each step is an operation and the exact state expected right after it.

type Op =
  | { op: 'start'; n: number }
  | { op: 'finish'; error?: boolean }
  | { op: 'pause' }
  | { op: 'resume' }
  | { op: 'change'; change: RateControlChange }
  | { op: 'addErrors'; n: number }
  | { op: 'restore' };

interface Expect {
  available: number;
  running?: number;
  errors?: number;
  tripped?: boolean;
  paused?: boolean;
  waitingForResume?: boolean;
  concurrency?: number;
  maxErrors?: number;
  wave?: { index: number; count: number };
}

const scriptCases: { name: string; total: number; rc: RateControl; initial: Expect; steps: [Op, Expect][] }[] = [
  {
    name: 'sliding window: a finished item frees its slot at once',
    total: 10,
    rc: { Mode: 'Concurrency', Concurrency: 3, MaxErrors: 5 },
    initial: { available: 3, running: 0, concurrency: 3, maxErrors: 5, wave: { index: 0, count: 1 } },
    steps: [
      [
        { op: 'start', n: 3 },
        { available: 0, running: 3 },
      ],
      [{ op: 'finish' }, { available: 1, running: 2, errors: 0 }],
      [
        { op: 'finish', error: true },
        { available: 2, running: 1, errors: 1, tripped: false },
      ],
      [
        { op: 'start', n: 2 },
        { available: 0, running: 3 },
      ],
    ],
  },
  {
    name: 'sliding window near the end: available() never exceeds the items left',
    total: 4,
    rc: { Mode: 'Concurrency', Concurrency: 3 },
    initial: { available: 3 },
    steps: [
      [
        { op: 'start', n: 3 },
        { available: 0, running: 3 },
      ],
      [{ op: 'finish' }, { available: 1, running: 2 }],
      [
        { op: 'start', n: 1 },
        { available: 0, running: 3 },
      ],
      [{ op: 'finish' }, { available: 0, running: 2 }],
      [{ op: 'finish' }, { available: 0, running: 1 }],
      [{ op: 'finish' }, { available: 0, running: 0 }],
    ],
  },
  {
    name: 'batch waves never overlap: available() is 0 until the whole wave finished',
    total: 6,
    rc: { Mode: 'Batch', Batch: [3] },
    initial: { available: 3, wave: { index: 0, count: 2 } },
    steps: [
      [
        { op: 'start', n: 3 },
        { available: 0, running: 3 },
      ],
      [{ op: 'finish' }, { available: 0, running: 2, wave: { index: 0, count: 2 } }],
      [{ op: 'finish' }, { available: 0, running: 1, wave: { index: 0, count: 2 } }],
      [{ op: 'finish' }, { available: 3, running: 0, wave: { index: 1, count: 2 } }],
      [
        { op: 'start', n: 3 },
        { available: 0, running: 3 },
      ],
      [{ op: 'finish' }, { available: 0, running: 2 }],
      [{ op: 'finish' }, { available: 0, running: 1 }],
      [{ op: 'finish' }, { available: 0, running: 0, wave: { index: 1, count: 2 } }],
    ],
  },
  {
    name: 'batch wave partly started: the rest of the wave may start, not the next wave',
    total: 4,
    rc: { Mode: 'Batch', Batch: [2] },
    initial: { available: 2 },
    steps: [
      [
        { op: 'start', n: 1 },
        { available: 1, running: 1 },
      ],
      [{ op: 'finish' }, { available: 1, running: 0, wave: { index: 0, count: 2 } }],
      [
        { op: 'start', n: 1 },
        { available: 0, running: 1 },
      ],
      [{ op: 'finish' }, { available: 2, running: 0, wave: { index: 1, count: 2 } }],
    ],
  },
  {
    name: 'FirstBatchPause: waits for resume after wave 1 only',
    total: 10,
    rc: { Mode: 'Batch', Batch: [1, '50%'], BatchPauseOption: 'FirstBatchPause' },
    initial: { available: 1, waitingForResume: false, paused: false, wave: { index: 0, count: 3 } },
    steps: [
      [
        { op: 'start', n: 1 },
        { available: 0, running: 1 },
      ],
      [
        { op: 'finish' },
        { available: 0, running: 0, waitingForResume: true, paused: true, wave: { index: 1, count: 3 } },
      ],
      [{ op: 'resume' }, { available: 5, waitingForResume: false, paused: false }],
      [
        { op: 'start', n: 5 },
        { available: 0, running: 5 },
      ],
      [{ op: 'finish' }, { available: 0, running: 4 }],
      [{ op: 'finish' }, { available: 0, running: 3 }],
      [{ op: 'finish' }, { available: 0, running: 2 }],
      [{ op: 'finish' }, { available: 0, running: 1 }],
      [{ op: 'finish' }, { available: 4, running: 0, waitingForResume: false, wave: { index: 2, count: 3 } }],
    ],
  },
  {
    name: 'EveryBatchPause: waits before every later wave, none after the last',
    total: 3,
    rc: { Mode: 'Batch', Batch: [1], BatchPauseOption: 'EveryBatchPause' },
    initial: { available: 1, wave: { index: 0, count: 3 } },
    steps: [
      [{ op: 'start', n: 1 }, { available: 0 }],
      [{ op: 'finish' }, { available: 0, waitingForResume: true }],
      [{ op: 'resume' }, { available: 1, waitingForResume: false }],
      [{ op: 'start', n: 1 }, { available: 0 }],
      [{ op: 'finish' }, { available: 0, waitingForResume: true }],
      [{ op: 'resume' }, { available: 1 }],
      [{ op: 'start', n: 1 }, { available: 0 }],
      [{ op: 'finish' }, { available: 0, waitingForResume: false, paused: false, wave: { index: 2, count: 3 } }],
    ],
  },
  {
    name: 'pause/resume: paused window starts nothing, running items still finish',
    total: 5,
    rc: { Mode: 'Concurrency', Concurrency: 2 },
    initial: { available: 2 },
    steps: [
      [
        { op: 'start', n: 2 },
        { available: 0, running: 2 },
      ],
      [{ op: 'pause' }, { available: 0, paused: true, waitingForResume: false }],
      [{ op: 'finish' }, { available: 0, running: 1, paused: true }],
      [{ op: 'finish' }, { available: 0, running: 0, paused: true }],
      [{ op: 'resume' }, { available: 2, paused: false }],
    ],
  },
  {
    name: 'change({Concurrency}) raises and lowers the window',
    total: 20,
    rc: { Mode: 'Concurrency', Concurrency: 2 },
    initial: { available: 2, concurrency: 2 },
    steps: [
      [
        { op: 'start', n: 2 },
        { available: 0, running: 2 },
      ],
      [
        { op: 'change', change: { Concurrency: 5 } },
        { available: 3, concurrency: 5 },
      ],
      [
        { op: 'start', n: 3 },
        { available: 0, running: 5 },
      ],
      [
        { op: 'change', change: { Concurrency: 1 } },
        { available: 0, concurrency: 1 },
      ],
      [{ op: 'finish' }, { available: 0, running: 4 }],
      [{ op: 'finish' }, { available: 0, running: 3 }],
      [{ op: 'finish' }, { available: 0, running: 2 }],
      [{ op: 'finish' }, { available: 0, running: 1 }],
      [{ op: 'finish' }, { available: 1, running: 0 }],
      [
        { op: 'change', change: { Concurrency: '50%' } },
        { available: 10, concurrency: 10 },
      ],
    ],
  },
  {
    name: 'change({Concurrency}) in Batch mode is capped by the wave size',
    total: 6,
    rc: { Mode: 'Batch', Batch: [3], ConcurrencyInBatches: [1] },
    initial: { available: 1, concurrency: 1 },
    steps: [
      [
        { op: 'change', change: { Concurrency: 10 } },
        { available: 3, concurrency: 3 },
      ],
    ],
  },
  {
    name: 'change({MaxErrors}) lowers and raises the threshold',
    total: 10,
    rc: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 },
    initial: { available: 1, maxErrors: 0 },
    steps: [
      [{ op: 'start', n: 1 }, { available: 0 }],
      [
        { op: 'finish', error: true },
        { available: 0, errors: 1, tripped: true },
      ],
      [
        { op: 'change', change: { MaxErrors: 2 } },
        { available: 1, tripped: false, maxErrors: 2 },
      ],
      [{ op: 'start', n: 1 }, { available: 0 }],
      [
        { op: 'finish', error: true },
        { available: 1, errors: 2, tripped: false },
      ],
      [
        { op: 'change', change: { MaxErrors: '10%' } },
        { available: 0, tripped: true, maxErrors: 1 },
      ],
      [
        { op: 'change', change: { MaxErrors: '50%', Concurrency: 4 } },
        { available: 4, maxErrors: 5, concurrency: 4 },
      ],
    ],
  },
  {
    name: 'addErrors counts items that never started',
    total: 10,
    rc: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 1 },
    initial: { available: 2 },
    steps: [
      [
        { op: 'addErrors', n: 1 },
        { available: 2, errors: 1, tripped: false },
      ],
      [
        { op: 'addErrors', n: 1 },
        { available: 0, errors: 2, tripped: true },
      ],
    ],
  },
  {
    name: 'state survives a restore (continue-as-new)',
    total: 6,
    rc: { Mode: 'Batch', Batch: [2], BatchPauseOption: 'FirstBatchPause', MaxErrors: 3 },
    initial: { available: 2 },
    steps: [
      [{ op: 'start', n: 2 }, { available: 0 }],
      [
        { op: 'finish', error: true },
        { available: 0, errors: 1 },
      ],
      [{ op: 'finish' }, { available: 0, waitingForResume: true, wave: { index: 1, count: 3 } }],
      [{ op: 'restore' }, { available: 0, errors: 1, waitingForResume: true, wave: { index: 1, count: 3 } }],
      [{ op: 'resume' }, { available: 2, maxErrors: 3 }],
    ],
  },
];

function check(win: RateWindow, e: Expect, where: string): void {
  const actual: Record<string, unknown> = { available: win.available() };
  const expected: Record<string, unknown> = { available: e.available };
  const fields = ['running', 'errors', 'tripped', 'paused', 'waitingForResume', 'concurrency', 'maxErrors', 'wave'];
  for (const f of fields) {
    const want = (e as unknown as Record<string, unknown>)[f];
    if (want !== undefined) {
      expected[f] = want;
      actual[f] = (win as unknown as Record<string, unknown>)[f];
    }
  }
  assert.deepEqual(actual, expected, where);
}

for (const c of scriptCases) {
  test(`script: ${c.name}`, () => {
    let win = new RateWindow(c.total, c.rc);
    check(win, c.initial, 'initial');
    c.steps.forEach(([op, expect], i) => {
      switch (op.op) {
        case 'start':
          win.start(op.n);
          break;
        case 'finish':
          win.finish(op.error ?? false);
          break;
        case 'pause':
          win.pause();
          break;
        case 'resume':
          win.resume();
          break;
        case 'change':
          win.change(op.change);
          break;
        case 'addErrors':
          win.addErrors(op.n);
          break;
        case 'restore':
          win = new RateWindow(c.total, c.rc, JSON.parse(JSON.stringify(win.state)) as typeof win.state);
          break;
      }
      check(win, expect, `step ${i + 1}: ${JSON.stringify(op)}`);
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Misuse is refused loudly.
const misuseCases: { name: string; run: () => void; error: RegExp }[] = [
  {
    name: 'start more than available()',
    run: () => new RateWindow(10, { Mode: 'Concurrency', Concurrency: 2 }).start(3),
    error: /cannot start 3 items, 2 slots free/,
  },
  {
    name: 'start while paused',
    run: () => {
      const w = new RateWindow(10, { Mode: 'Concurrency', Concurrency: 2 });
      w.pause();
      w.start(1);
    },
    error: /cannot start 1 items, 0 slots free/,
  },
  {
    name: 'finish without a running item',
    run: () => new RateWindow(10, { Mode: 'Concurrency', Concurrency: 2 }).finish(false),
    error: /finish\(\) without a running item/,
  },
];
for (const c of misuseCases) {
  test(`misuse: ${c.name}`, () => {
    assert.throws(c.run, c.error);
  });
}
