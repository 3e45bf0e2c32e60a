// The RateControl state machine both workflows use: a sliding window per item inside waves, a failure
// counter against MaxErrors, and pause/resume. Pure and deterministic (no timers, no I/O), so it is
// unit-tested as a table and runs unchanged inside the workflow sandbox.
import {
  pausesBeforeWave,
  planWaves,
  resolveMaxErrors,
  resolveSize,
  type RateControl,
  type RateControlChange,
  type Wave,
} from '../contract/rateControl';

/** Serializable state, carried across continue-as-new. */
export interface RateWindowState {
  total: number;
  rateControl: RateControl;
  waveIndex: number;
  startedInWave: number;
  finishedInWave: number;
  started: number;
  running: number;
  errors: number;
  paused: boolean;
  waitingForResume: boolean;
  concurrencyOverride: number | null;
  maxErrors: number;
}

export class RateWindow {
  private readonly waves: Wave[];
  private s: RateWindowState;

  constructor(total: number, rateControl: RateControl, state?: RateWindowState) {
    this.waves = planWaves(rateControl, total);
    this.s = state ?? {
      total,
      rateControl,
      waveIndex: 0,
      startedInWave: 0,
      finishedInWave: 0,
      started: 0,
      running: 0,
      errors: 0,
      paused: false,
      waitingForResume: false,
      concurrencyOverride: null,
      maxErrors: resolveMaxErrors(rateControl.MaxErrors, total),
    };
  }

  get state(): RateWindowState {
    return { ...this.s };
  }
  get running(): number {
    return this.s.running;
  }
  get errors(): number {
    return this.s.errors;
  }
  get maxErrors(): number {
    return this.s.maxErrors;
  }
  get paused(): boolean {
    return this.s.paused || this.s.waitingForResume;
  }
  get waitingForResume(): boolean {
    return this.s.waitingForResume;
  }
  /** 0-based wave being run, and how many waves there are. */
  get wave(): { index: number; count: number } {
    return { index: Math.min(this.s.waveIndex, this.waves.length - 1), count: this.waves.length };
  }

  /** Items allowed to run at once right now. */
  get concurrency(): number {
    const wave = this.waves[this.s.waveIndex];
    if (!wave) return 0;
    return this.s.concurrencyOverride === null ? wave.concurrency : Math.min(this.s.concurrencyOverride, wave.size);
  }

  /** MaxErrors exceeded: no new item may start. */
  get tripped(): boolean {
    return this.s.errors > this.s.maxErrors;
  }

  /** How many items may start now. */
  available(): number {
    if (this.paused || this.tripped) return 0;
    const wave = this.waves[this.s.waveIndex];
    if (!wave) return 0;
    const leftInWave = wave.size - this.s.startedInWave;
    return Math.max(0, Math.min(leftInWave, this.concurrency - this.s.running));
  }

  /** Records that `n` items started (n ≤ available()). */
  start(n: number): void {
    if (n > this.available()) throw new Error(`cannot start ${n} items, ${this.available()} slots free`);
    this.s.started += n;
    this.s.startedInWave += n;
    this.s.running += n;
  }

  /** Records that one started item ended; frees its slot at once. */
  finish(isError: boolean): void {
    if (this.s.running <= 0) throw new Error('finish() without a running item');
    this.s.running--;
    this.s.finishedInWave++;
    if (isError) this.s.errors++;
    this.advanceWave();
  }

  /** Counts errors of items that never started (e.g. ResourceIds that do not exist). */
  addErrors(n: number): void {
    this.s.errors += n;
  }

  pause(): void {
    this.s.paused = true;
  }
  resume(): void {
    this.s.paused = false;
    this.s.waitingForResume = false;
  }

  /** Applies a live change; call validateChange first. */
  change(change: RateControlChange): void {
    if (change.Concurrency !== undefined) this.s.concurrencyOverride = resolveSize(change.Concurrency, this.s.total);
    if (change.MaxErrors !== undefined) this.s.maxErrors = resolveMaxErrors(change.MaxErrors, this.s.total);
  }

  private advanceWave(): void {
    const wave = this.waves[this.s.waveIndex];
    if (!wave || this.s.finishedInWave < wave.size) return;
    this.s.waveIndex++;
    this.s.startedInWave = 0;
    this.s.finishedInWave = 0;
    if (this.s.waveIndex < this.waves.length && pausesBeforeWave(this.s.rateControl, this.s.waveIndex)) {
      this.s.waitingForResume = true;
    }
  }
}
