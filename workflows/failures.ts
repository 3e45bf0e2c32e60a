// How the workflows turn problems into failures that callers can match on by type.
import { ApplicationFailure } from '@temporalio/workflow';
import { INVALID_INPUT } from '../contract/errors';
import { InputValidationError } from '../contract/validate';

/** Runs a validator; a bad input fails the workflow at once, non-retryable, listing every problem. */
export function validatedOrFail<T>(validate: () => T): T {
  try {
    return validate();
  } catch (err) {
    if (err instanceof InputValidationError) {
      throw ApplicationFailure.create({
        type: INVALID_INPUT,
        nonRetryable: true,
        message: err.message,
        details: [err.problems],
      });
    }
    throw err;
  }
}
