/**
 * The one error type Impulse throws across module boundaries. Callers branch on `code`, never on the
 * message text; `cause` carries the original error through.
 */
export type ErrorCode =
  /** A manifest failed to parse or validate. */
  | 'INVALID_MANIFEST'
  /** A field, source type or trigger type that Impulse does not implement. */
  | 'UNSUPPORTED'
  /** The event bus could not take or give a message right now; retry later. */
  | 'BUS_UNAVAILABLE'
  /** A message is larger than the bus or the source allows. */
  | 'PAYLOAD_TOO_LARGE'
  /** A referenced secret does not exist. */
  | 'SECRET_MISSING'
  /** Input (an event, a request, a parameter) that can never succeed as it is; do not retry. */
  | 'INVALID_INPUT'
  /** A downstream failure that will not go away by retrying (4xx, forbidden, invalid). */
  | 'PERMANENT'
  /** A downstream failure that may go away by retrying (timeouts, 5xx, connection refused). */
  | 'TRANSIENT'
  /** An operation ran out of time. */
  | 'TIMEOUT'
  /** A method was called on an object in a state that does not allow it. */
  | 'INVALID_STATE'
  /** The object was closed, or the operation was aborted. */
  | 'CLOSED'
  /** Something that should exist does not. */
  | 'NOT_FOUND'
  /** A bug or an unexpected failure: the boundary turned an unknown throw into this. */
  | 'INTERNAL';

export interface ImpulseErrorOptions {
  cause?: unknown;
  /** Structured details for logs and API answers (never secret values). */
  details?: Record<string, unknown>;
}

export class ImpulseError extends Error {
  override readonly name = 'ImpulseError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ImpulseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** Whether retrying the same operation could succeed. */
  get transient(): boolean {
    return this.code === 'TRANSIENT' || this.code === 'BUS_UNAVAILABLE' || this.code === 'TIMEOUT';
  }
}

/** Turns anything thrown into an ImpulseError, keeping an existing one as it is. */
export function toImpulseError(err: unknown, code: ErrorCode = 'INTERNAL', context?: string): ImpulseError {
  if (err instanceof ImpulseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ImpulseError(code, context ? `${context}: ${message}` : message, { cause: err });
}

export function isImpulseError(err: unknown, code?: ErrorCode): err is ImpulseError {
  return err instanceof ImpulseError && (code === undefined || err.code === code);
}
