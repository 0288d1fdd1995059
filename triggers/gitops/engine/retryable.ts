import { isImpulseError } from '../../../core/errors.ts';

/**
 * Whether an error that ended a sync may go away by running it again, which decides
 * `OperationResult.retryable`: a TRANSIENT, TIMEOUT or CLOSED ImpulseError (as `kubeError`
 * classifies 429, 5xx, 409 Conflict on a stale resourceVersion and no answer). A wave timeout
 * (marked `details.waveTimeout`) is not: another run would meet it again.
 */
export function retryableError(err: unknown): boolean {
  if (!isImpulseError(err)) return false;
  if (err.details?.waveTimeout === true) return false;
  return err.code === 'TRANSIENT' || err.code === 'TIMEOUT' || err.code === 'CLOSED';
}
