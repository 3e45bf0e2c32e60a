// Messages both workflows answer. Clients and other services import these definitions (or use the names).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChildProgress, ParentProgress, RateControlView } from '../contract/progress';
import type { RateControlChange } from '../contract/rateControl';
import type { BulkyRunCommandResult } from '../contract/results';

/** Counts and state, answered from memory: no history events. */
export const progressQuery = defineQuery<ChildProgress | ParentProgress>('progress');
/** Stop starting new items; running ones go on. */
export const pauseSignal = defineSignal('pause');
/** Start items again (also releases a Batch pause between waves). */
export const resumeSignal = defineSignal('resume');
/** Change Concurrency and/or MaxErrors of a running execution; invalid values are rejected unrecorded. */
export const setRateControlUpdate = defineUpdate<RateControlView, [RateControlChange]>('setRateControl');
/**
 * bulkyRunCommand's full result once it has ended (also on a closed run, replayed by a worker): what the
 * child returns to its parent is only counts.
 */
export const resultQuery = defineQuery<BulkyRunCommandResult>('result');
