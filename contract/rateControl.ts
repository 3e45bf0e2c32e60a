// RateControl (DESIGN §4): the OOS grammar and its exact arithmetic. Workflow-safe.
import { z } from 'zod';

/** A count (1, 10) or a percentage of the items ("10%", "12.5%"). Digit strings are read as counts. */
export type CountOrPercent = number | string;

export const BATCH_PAUSE_OPTIONS = ['Automatic', 'FirstBatchPause', 'EveryBatchPause'] as const;
export type BatchPauseOption = (typeof BATCH_PAUSE_OPTIONS)[number];

export interface ConcurrencyRateControl {
  Mode: 'Concurrency';
  Concurrency?: CountOrPercent;
  MaxErrors?: CountOrPercent;
}
export interface BatchRateControl {
  Mode: 'Batch';
  Batch: CountOrPercent[];
  ConcurrencyInBatches?: CountOrPercent[];
  BatchPauseOption?: BatchPauseOption;
  MaxErrors?: CountOrPercent;
}
export type RateControl = ConcurrencyRateControl | BatchRateControl;

/** OOS's default for both loops: ten at a time, stop after the first error. */
export const DEFAULT_RATE_CONTROL: ConcurrencyRateControl = { Mode: 'Concurrency', Concurrency: 10, MaxErrors: 0 };

const PERCENT = /^(\d+(?:\.\d+)?)%$/;
const DIGITS = /^\d+$/;

type Parsed = { kind: 'count'; value: number } | { kind: 'percent'; value: number; text: string };

function parse(v: CountOrPercent): Parsed | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'count', value: v } : undefined;
  const s = v.trim();
  if (DIGITS.test(s)) return { kind: 'count', value: Number(s) };
  const m = PERCENT.exec(s);
  return m ? { kind: 'percent', value: Number(m[1]), text: m[1]! } : undefined;
}

/** Schema of a count that must be >= min, or a percentage in (0, 100] (or [0, 100] when min is 0). */
function countOrPercent(min: 0 | 1, what: string) {
  const allowed =
    min === 0
      ? `${what}: an integer from 0 to 1000000 or a percentage from "0%" to "100%"`
      : `${what}: an integer from 1 to 1000000 or a percentage above "0%" up to "100%"`;
  return z.union([z.number(), z.string()], { error: allowed }).superRefine((v, ctx) => {
    const p = parse(v);
    const ok =
      p !== undefined &&
      (p.kind === 'count' ? p.value >= min && p.value <= 1_000_000 : p.value <= 100 && (min === 0 || p.value > 0));
    if (!ok) ctx.addIssue({ code: 'custom', message: allowed });
  });
}

const MAX_ERRORS = countOrPercent(0, 'MaxErrors');

export const rateControlSchema = z.discriminatedUnion(
  'Mode',
  [
    z.strictObject({
      Mode: z.literal('Concurrency'),
      Concurrency: countOrPercent(1, 'Concurrency').optional(),
      MaxErrors: MAX_ERRORS.optional(),
    }),
    z.strictObject({
      Mode: z.literal('Batch'),
      Batch: z
        .array(countOrPercent(1, 'Batch entry'), { error: 'Batch: a list of counts or percentages' })
        .min(1)
        .max(100),
      ConcurrencyInBatches: z
        .array(countOrPercent(1, 'ConcurrencyInBatches entry'), { error: 'ConcurrencyInBatches: a list' })
        .min(1)
        .max(100)
        .optional(),
      BatchPauseOption: z
        .enum(BATCH_PAUSE_OPTIONS, { error: `BatchPauseOption: one of ${BATCH_PAUSE_OPTIONS.join(', ')}` })
        .optional(),
      MaxErrors: MAX_ERRORS.optional(),
    }),
  ],
  { error: 'Mode: "Concurrency" or "Batch"' },
);

/** floor(P% × total) computed exactly: P is read as a decimal fraction, so no binary rounding can tip it. */
function floorPercent(percentText: string, total: number): number {
  const [whole = '0', frac = ''] = percentText.split('.');
  // No BigInt literals or `**`: the workflow bundler compiles for ES2017.
  return Number((BigInt(whole + frac) * BigInt(Math.trunc(total))) / BigInt(`100${'0'.repeat(frac.length)}`));
}

/** Concurrency or batch size: a count as given; `P%` = max(1, floor(P% × total)). */
export function resolveSize(v: CountOrPercent, total: number): number {
  const p = parse(v);
  if (p === undefined) throw new Error(`not a count or percentage: ${String(v)}`);
  return p.kind === 'count' ? p.value : Math.max(1, floorPercent(p.text, total));
}

/** MaxErrors: a count as given; `P%` = floor(P% × total). */
export function resolveMaxErrors(v: CountOrPercent | undefined, total: number): number {
  if (v === undefined) return 0;
  const p = parse(v);
  if (p === undefined) throw new Error(`not a count or percentage: ${String(v)}`);
  return p.kind === 'count' ? p.value : floorPercent(p.text, total);
}

/** One wave of a run: how many items it holds and how many of them may run at once. */
export interface Wave {
  size: number;
  concurrency: number;
}

/**
 * Waves for `total` items. Concurrency mode is one wave holding everything. Batch mode: each entry is a
 * wave, the last entry repeats until all items are placed, the last wave takes what is left.
 * ConcurrencyInBatches[i] limits wave i (its last entry repeats); by default a wave runs all at once.
 */
export function planWaves(rc: RateControl, total: number): Wave[] {
  if (rc.Mode === 'Concurrency') {
    return [{ size: total, concurrency: resolveSize(rc.Concurrency ?? DEFAULT_RATE_CONTROL.Concurrency!, total) }];
  }
  const waves: Wave[] = [];
  let placed = 0;
  for (let i = 0; placed < total; i++) {
    const entry = rc.Batch[Math.min(i, rc.Batch.length - 1)]!;
    const size = Math.min(resolveSize(entry, total), total - placed);
    const limits = rc.ConcurrencyInBatches;
    const concurrency = limits ? resolveSize(limits[Math.min(i, limits.length - 1)]!, total) : size;
    waves.push({ size, concurrency: Math.min(concurrency, size) });
    placed += size;
  }
  return waves;
}

/** Whether the run waits for a `resume` signal before wave `index` (0-based) starts. */
export function pausesBeforeWave(rc: RateControl, index: number): boolean {
  if (rc.Mode !== 'Batch' || index === 0) return false;
  const option = rc.BatchPauseOption ?? 'Automatic';
  return option === 'EveryBatchPause' || (option === 'FirstBatchPause' && index === 1);
}

/** A live change to a running execution (the `setRateControl` update). */
export interface RateControlChange {
  Concurrency?: CountOrPercent;
  MaxErrors?: CountOrPercent;
}

export const rateControlChangeSchema = z
  .strictObject({
    Concurrency: countOrPercent(1, 'Concurrency').optional(),
    MaxErrors: MAX_ERRORS.optional(),
  })
  .refine((c) => c.Concurrency !== undefined || c.MaxErrors !== undefined, {
    error: 'give Concurrency and/or MaxErrors',
  });
