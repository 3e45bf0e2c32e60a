// Failure types that tools and other services match on. Workflow-safe.

/** The input is malformed; nothing was sent to the cloud. Non-retryable. */
export const INVALID_INPUT = 'InvalidInput';
/** More items failed than rateControl.MaxErrors allows. Non-retryable; details[0] is the result. */
export const MAX_ERRORS_EXCEEDED = 'MaxErrorsExceeded';
/**
 * The run was cancelled; it stopped its running invocations first. Non-retryable; details[0] is the
 * result, saying how each instance ended (a status that is not final means it may still have run).
 * A failure rather than a plain cancellation because Temporal drops the details of a cancellation.
 */
export const RUN_CANCELLED = 'Cancelled';
/** A role in the chain cannot be assumed (trust policy, missing role, missing permission). */
export const ROLE_CHAIN_DENIED = 'RoleChainDenied';
/** Targets select more instances than one location may run on (MAX_INSTANCES_PER_LOCATION). */
export const TOO_MANY_TARGETS = 'TooManyTargets';
/** A workflow type (templateName) that the worker of that task queue does not run. Non-retryable. */
export const UNKNOWN_WORKFLOW_TYPE = 'UnknownWorkflowType';
/** The cloud refused a call for a reason that retrying will not fix (permission, bad parameter). */
export const CLOUD_REQUEST_REJECTED = 'CloudRequestRejected';

/** One problem with an input: where it is, what was given, what is allowed. */
export interface InputProblem {
  path: string;
  value: unknown;
  allowed: string;
}

export function describeProblems(problems: InputProblem[]): string {
  return problems.map((p) => `${p.path || '(input)'}: got ${preview(p.value)}; allowed: ${p.allowed}`).join('\n');
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // cyclic or BigInt: fall through
  }
  text ??=
    typeof value === 'bigint' || typeof value === 'symbol' ? value.toString() : Object.prototype.toString.call(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
