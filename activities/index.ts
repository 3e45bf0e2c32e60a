// The activities, created by a factory with their dependencies injected (the worker passes real ones,
// tests may pass others). Workflows import only the type of this module.
import { pollInvocations, type PollInvocationsInput } from './pollInvocations';
import { runCommand, type RunCommandInput } from './runCommand';
import { selectTargets, type SelectTargetsInput } from './selectTargets';
import { stopInvocation, type StopInvocationInput } from './stopInvocation';
import type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    selectTargets: (input: SelectTargetsInput) => selectTargets(deps, input),
    runCommand: (input: RunCommandInput) => runCommand(deps, input),
    pollInvocations: (input: PollInvocationsInput) => pollInvocations(deps, input),
    stopInvocation: (input: StopInvocationInput) => stopInvocation(deps, input),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export type { ActivityDeps } from './deps';
export type { CommandSpec, DispatchKey, RunCommandInput, RunCommandResult } from './runCommand';
export type { InFlightInvocation, PollInvocationsInput, PollInvocationsResult } from './pollInvocations';
export type { SelectTargetsInput, SelectTargetsResult } from './selectTargets';
export type { StopInvocationInput } from './stopInvocation';
