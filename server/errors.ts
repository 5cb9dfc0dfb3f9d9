import { GraphQLError } from 'graphql';

/** The expected-failure codes of the public contract; anything else is masked. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'MFA_REQUIRED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'QUOTA_EXCEEDED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA'
  | 'PROVIDER_UNAVAILABLE'
  | 'UNAVAILABLE';

/** Codes that come from GraphQL itself (syntax, validation) and from masking. */
export type ProtocolCode = 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | 'INTERNAL_SERVER_ERROR';

/**
 * The one table from error code to HTTP status. Every request refused as a whole answers with the
 * status of its code: Yoga's results (graphqlGuards/errorStatus.ts) and every plain HTTP route alike.
 */
const httpStatusByCode: Record<ErrorCode | ProtocolCode, number> = {
  UNAUTHENTICATED: 401,
  MFA_REQUIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 402,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA: 415,
  PROVIDER_UNAVAILABLE: 503,
  UNAVAILABLE: 503,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  INTERNAL_SERVER_ERROR: 500,
};

/** The HTTP status of a code of the table, or undefined for a code that is not ours. */
export function httpStatusOf(code: unknown): number | undefined {
  return typeof code === 'string' && Object.hasOwn(httpStatusByCode, code)
    ? httpStatusByCode[code as ErrorCode | ProtocolCode]
    : undefined;
}

/** The code a bare HTTP status stands for (errors of Yoga's own that carry a status but no code of ours). */
export function codeOfHttpStatus(status: number): ErrorCode | ProtocolCode | undefined {
  const codes = Object.keys(httpStatusByCode) as (ErrorCode | ProtocolCode)[];
  return codes.find((code) => httpStatusByCode[code] === status);
}

/** The one body shape of every error answer, GraphQL or not. */
export function errorBody(code: ErrorCode | ProtocolCode, message: string, extensions: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { ...extensions, code } }] };
}

export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
    this.code = code;
  }

  get httpStatus(): number {
    return httpStatusByCode[this.code];
  }

  /** The error as a whole response body (for routes outside GraphQL). */
  toBody() {
    const { code: _code, ...extra } = this.extensions as Record<string, unknown>;
    return errorBody(this.code, this.message, extra);
  }
}

export const unauthenticated = (message = 'Authentication required.') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Not allowed.') => new AppError('FORBIDDEN', message);
/** Also the answer for objects the caller may not see, so the two cannot be told apart. */
export const notFound = (what = 'Object') => new AppError('NOT_FOUND', `${what} not found.`);
export const badInput = (message: string, field?: string) =>
  new AppError('BAD_USER_INPUT', message, field ? { field } : {});
export const conflict = (message: string) => new AppError('CONFLICT', message);
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', `Too many attempts. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
