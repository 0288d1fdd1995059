import { RequestOne } from '@nats-io/nats-core/internal';

/**
 * nats.js 3.4 ends every request, successful or not, by calling `cancel()`, which builds a
 * `RequestError("cancelled")` (with its stack trace) to reject a promise that is already resolved.
 * Every JetStream publish and every confirmed ack is a request, so under load that dead error cost
 * about 7% of an EventSource's CPU. After a request has been answered, `cancel()` here only does the
 * cleanup; a cancel before the answer (a timeout, a closed connection) behaves exactly as before.
 */
const ANSWERED = Symbol('impulse.answered');

interface RequestInternals {
  [ANSWERED]?: boolean;
  timer?: { cancel(): void };
  mux: { cancel(request: unknown): void };
  resolver(err: Error | null, msg: unknown): void;
  cancel(err?: Error): void;
}

let installed = false;

/** Installs the change once per process; safe to call again. Returns whether it is in effect. */
export function settleRequestsWithoutErrors(): boolean {
  if (installed) return true;
  const proto = RequestOne.prototype as unknown as RequestInternals;
  const { resolver, cancel } = proto;
  if (typeof resolver !== 'function' || typeof cancel !== 'function') return false;
  proto.resolver = function (this: RequestInternals, err, msg) {
    this[ANSWERED] = true;
    resolver.call(this, err, msg);
  };
  proto.cancel = function (this: RequestInternals, err?: Error) {
    if (err === undefined && this[ANSWERED]) {
      this.timer?.cancel();
      this.mux.cancel(this);
      return;
    }
    cancel.call(this, err);
  };
  installed = true;
  return true;
}
