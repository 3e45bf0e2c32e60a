// Shared types of the request pipeline: emulator-wide state and the per-call context handlers get.
import type { Audit } from './audit';
import type { Engine } from './engine';
import type { FaultState } from './faults';
import type { Identity } from './model';
import type { Params } from './params';
import type { Rng } from './prng';
import type { World } from './world';

export interface EmulatorState {
  world: World;
  faults: FaultState;
  rng: Rng;
  audit: Audit;
  engine: Engine;
}

export interface CallContext {
  action: string;
  params: Params;
  identity: Identity;
  requestId: string;
  now: number;
}

export type Handler = (state: EmulatorState, ctx: CallContext) => Record<string, unknown>;
