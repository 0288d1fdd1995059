import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { type ErrorCode, ImpulseError } from '../../core/errors.ts';

/** JetStream's error for a message larger than the stream's `max_msg_size`. */
const MESSAGE_EXCEEDS_MAXIMUM = 10054;

/**
 * Turns an error from the NATS client into an `ImpulseError`, so nothing above the driver sees a
 * client class. `fallback` is the code for failures of the bus that retrying may cure.
 */
export function fromNatsError(
  err: unknown,
  context: string,
  fallback: ErrorCode = 'BUS_UNAVAILABLE',
): ImpulseError {
  if (err instanceof ImpulseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ImpulseError(codeOf(err, fallback), `${context}: ${message}`, { cause: err });
}

function codeOf(err: unknown, fallback: ErrorCode): ErrorCode {
  if (err instanceof errors.ClosedConnectionError || err instanceof errors.DrainingConnectionError) {
    return 'CLOSED';
  }
  // The client checks the size against the server's max_payload before sending; its only signal is
  // this error class with the option name in the text.
  if (err instanceof errors.InvalidArgumentError && err.message.includes('max_payload')) {
    return 'PAYLOAD_TOO_LARGE';
  }
  if (err instanceof errors.InvalidSubjectError) return 'INVALID_INPUT';
  if (err instanceof JetStreamApiError) {
    switch (err.code) {
      case MESSAGE_EXCEEDS_MAXIMUM:
        return 'PAYLOAD_TOO_LARGE';
      case JetStreamApiCodes.StreamWrongLastSequence:
      case JetStreamApiCodes.StreamWrongLastSequenceUnknown:
        return 'INVALID_STATE';
      case JetStreamApiCodes.StreamNotFound:
      case JetStreamApiCodes.ConsumerNotFound:
      case JetStreamApiCodes.NoMessageFound:
        return 'NOT_FOUND';
      default:
        return fallback;
    }
  }
  return fallback;
}

/** Whether `err` says that a stream or consumer does not exist. */
export function isNotFound(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamNotFound || err.code === JetStreamApiCodes.ConsumerNotFound)
  );
}
