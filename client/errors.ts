// How the CLI tells apart what went wrong: a payload it cannot decode (a codec key problem of this
// process, not a failure of the run) and a query that no worker answered (the only case where "start a
// worker" is the right advice).
import { ValueError } from '@temporalio/common';
import { CodecKeyError, ENCRYPTED_ENCODING } from '../worker/encryptionCodec';

/** The run's payloads are encrypted with a key this process lacks: the run itself may be fine. */
export class PayloadDecodeError extends Error {
  override name = 'PayloadDecodeError';
}

/** A PayloadDecodeError that says which key to set, or undefined when `err` is not a decoding error. */
export function decodeErrorOf(err: unknown): PayloadDecodeError | undefined {
  if (err instanceof PayloadDecodeError) return err;
  const e = err as Error | undefined;
  // By name too: the codec may come from another copy of the module.
  if (err instanceof CodecKeyError || e?.name === 'CodecKeyError') {
    return new PayloadDecodeError(`cannot decode the run's payloads: ${e!.message}`);
  }
  if (!(err instanceof ValueError) || !/^Unknown encoding/.test(err.message)) return undefined;
  if (err.message.includes(ENCRYPTED_ENCODING)) {
    return new PayloadDecodeError(
      `cannot decode the run's payloads (${ENCRYPTED_ENCODING}): set FLEET_RUN_CODEC_KEY to the worker's key`,
    );
  }
  return new PayloadDecodeError(`cannot decode the run's payloads: ${err.message}`);
}

/** The message of `err` and of its causes, e.g. "Failed to query Workflow (9 FAILED_PRECONDITION: ...)". */
export function messageWithCauses(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  const cause = (e?.cause as Error | undefined)?.message;
  return cause && cause !== e.message ? `${e.message} (${messageWithCauses(e.cause)})` : String(e?.message ?? err);
}

/**
 * True when a query failed because no worker took it: the server saw no poller on the task queue, or the
 * query timed out waiting for one. Anything else (connection, namespace, codec) has another cause.
 */
export function isNoWorkerError(err: unknown): boolean {
  if (decodeErrorOf(err)) return false;
  // "consistent query buffer is full": queries pile up on a workflow that no worker is taking tasks of.
  return /no poller|worker may be down|deadline exceeded|query.*timed? ?out|query buffer is full/i.test(
    messageWithCauses(err),
  );
}
