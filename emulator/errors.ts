// Cloud API errors as the gateway returns them: real HTTP status + {RequestId, HostId, Code, Message, Recommend}.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const err = (status: number, code: string, message: string): ApiError => new ApiError(status, code, message);

export const missingParam = (name: string): ApiError =>
  err(
    400,
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

export const invalidParam = (name: string, value: string): ApiError =>
  err(400, 'InvalidParameter', `The specified parameter "${name}" is not valid: ${JSON.stringify(value)}.`);

export function errorBody(e: ApiError, requestId: string, host: string, product: string): Record<string, string> {
  return {
    RequestId: requestId,
    HostId: host,
    Code: e.code,
    Message: e.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}&product=${product}&requestId=${requestId}`,
  };
}
