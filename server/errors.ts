import { GraphQLError } from 'graphql';

/** The expected-failure codes of the public contract; anything else is masked. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'QUOTA_EXCEEDED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA'
  | 'PROVIDER_UNAVAILABLE';

const httpStatusByCode: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 402,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA: 415,
  PROVIDER_UNAVAILABLE: 503,
};

export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
    this.code = code;
  }

  get httpStatus(): number {
    return httpStatusByCode[this.code];
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
