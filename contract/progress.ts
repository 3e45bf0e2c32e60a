// What the `progress` query returns (no history cost). Workflow-safe.
import type { Counts, LocationStatus } from './results';

export interface RateControlView {
  /** Items allowed to run at once now. */
  concurrency: number;
  maxErrors: number;
  errors: number;
  paused: boolean;
  /** Batch mode: waiting for `resume` before the next wave. */
  waitingForResume: boolean;
  wave: { index: number; count: number };
}

export interface ChildProgress {
  phase: 'Validating' | 'SelectingTargets' | 'Running' | 'Stopping' | 'Done';
  accountId: string;
  regionId: string;
  counts: Counts & { running: number; pending: number };
  rateControl: RateControlView;
  /** Invocations in flight now. */
  invocations: number;
}

export interface LocationProgress {
  accountId: string;
  regionId: string;
  workflowId: string;
  status: LocationStatus;
  counts: Counts;
  error: string | null;
}

export interface ParentProgress {
  phase: 'Validating' | 'Running' | 'Done';
  counts: Counts & { running: number; pending: number };
  rateControl: RateControlView;
  locations: LocationProgress[];
}
