// Loaded by path (DataConverter.failureConverterPath), also inside the workflow bundle: failure messages and
// stack traces go into an encoded payload, which the encryption codec then encrypts.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
