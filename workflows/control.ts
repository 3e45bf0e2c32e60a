// Live control shared by both workflows: pause/resume signals and the setRateControl update.
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { INVALID_INPUT } from '../contract/errors';
import type { RateControlView } from '../contract/progress';
import { rateControlChangeSchema } from '../contract/rateControl';
import { pauseSignal, resumeSignal, setRateControlUpdate } from './messages';
import type { RateWindow } from './rateWindow';

export function rateControlView(window: RateWindow): RateControlView {
  return {
    concurrency: window.concurrency,
    maxErrors: window.maxErrors,
    errors: window.errors,
    paused: window.paused,
    waitingForResume: window.waitingForResume,
    wave: window.wave,
  };
}

/**
 * Registers the control handlers. `getWindow` returns undefined until the window exists (a child knows
 * its item count only after target selection); signals received before then are applied when it appears.
 */
export function registerControlHandlers(getWindow: () => RateWindow | undefined): EarlySignals {
  // The last of pause/resume received before the window existed. Signals are delivered before the
  // workflow function runs, so a continued run, whose window comes from its carried state, sees them too.
  let early: 'pause' | 'resume' | undefined;
  setHandler(pauseSignal, () => {
    const window = getWindow();
    if (window) window.pause();
    else early = 'pause';
  });
  setHandler(resumeSignal, () => {
    const window = getWindow();
    if (window) window.resume();
    else early = 'resume';
  });
  setHandler(
    setRateControlUpdate,
    (change) => {
      const window = getWindow()!;
      window.change(change);
      return rateControlView(window);
    },
    {
      validator: (change) => {
        const parsed = rateControlChangeSchema.safeParse(change);
        if (!parsed.success) {
          throw ApplicationFailure.nonRetryable(
            `setRateControl: ${parsed.error.issues.map((i) => i.message).join('; ')} (got ${JSON.stringify(change)})`,
            INVALID_INPUT,
          );
        }
        if (!getWindow())
          throw ApplicationFailure.nonRetryable('setRateControl: the run has not started yet', 'NotReady');
      },
    },
  );
  return { pausedEarly: () => early === 'pause', early: () => early };
}

export interface EarlySignals {
  /** A pause came before the window existed (and no resume after it). */
  pausedEarly(): boolean;
  /** The last pause or resume that came before the window existed. */
  early(): 'pause' | 'resume' | undefined;
}
