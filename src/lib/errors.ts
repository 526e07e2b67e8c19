// Stable error codes; only the HTTP edge turns them into status codes.
export type ErrorCode =
  | 'BAD_SIGNATURE'
  | 'STALE_TIMESTAMP'
  | 'MISSING_PARAMS'
  | 'BAD_XML'
  | 'XML_DOCTYPE'
  | 'DECRYPT_FAILED'
  | 'WRONG_RECEIVER'
  | 'BODY_TOO_LARGE'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'TOO_MANY'
  | 'ADMIN_DISABLED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RULES_INVALID'
  | 'CHANNEL_OFF';

const statusOf: Record<ErrorCode, number> = {
  BAD_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  MISSING_PARAMS: 401,
  BAD_XML: 400,
  XML_DOCTYPE: 400,
  DECRYPT_FAILED: 400,
  WRONG_RECEIVER: 403,
  BODY_TOO_LARGE: 413,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TOO_MANY: 429,
  ADMIN_DISABLED: 503,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RULES_INVALID: 422,
  CHANNEL_OFF: 404,
};

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return statusOf[this.code];
  }
}

/** A configuration file or variable is wrong: the service refuses to start and says what to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
