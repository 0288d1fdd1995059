import { ImpulseError, toImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type { Trigger } from '../crds/index.ts';
import {
  executeTrigger,
  type Firing,
  isPermanent,
  type RetryPolicy,
  type TriggerContext,
  type TriggerDriver,
  type TriggerOutcome,
  withRetry,
} from '../triggers/index.ts';
import type { HeldEvent } from './correlation.ts';
import type { DeadLetterSender } from './dead-letter.ts';
import { OUTCOME, type OutcomeEmitter } from './outcomes.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** How an execution ended, and so what the caller does with the messages or record behind it. */
export type ExecutionResult =
  /** Succeeded (or was superseded by a firing that is done): ack, or remove the record. */
  | { kind: 'done' }
  /** Failed for good and is in the dead-letter stream: ack, or remove the record. */
  | { kind: 'dead-lettered' }
  /** Failed for now: deliver or execute it again later. */
  | { kind: 'retry'; error: ImpulseError }
  /** The sensor stopped acting (lease lost, shutting down): leave everything as it is. */
  | { kind: 'abandoned' };

export interface ExecutionRequest {
  firing: Firing;
  /** Where the firing's events are in the stream, for the dead letter. */
  refs: Record<string, HeldEvent>;
  /** Executions of this firing that failed before this one. */
  failuresBefore: number;
  /** When this execution fails as well, dead-letter it instead of trying again. */
  lastChance: boolean;
  /** Identifies this firing from this source (message or record), so a dead letter is stored once. */
  dedupId: string;
  /** Keeps the messages behind the firing from redelivery. */
  working(): void;
}

export interface FiringExecutorOptions {
  sensor: string;
  trigger: Trigger;
  driver: TriggerDriver;
  retry: RetryPolicy;
  rateLimiter: RateLimiter | undefined;
  outcomes: OutcomeEmitter;
  deadLetters: DeadLetterSender;
  logger: Logger;
  metrics: Metrics;
  secrets: SecretResolver;
  /** Aborts when the runner stops. */
  signal: AbortSignal;
  /** Whether this replica may act right now (it holds the sensor's lease). */
  active(): boolean;
}

const ABANDONED: ExecutionResult = { kind: 'abandoned' };
const MAX_PENDING = 10_000;

/**
 * Executes firings of one trigger: rate limit, the trigger with its retries, then policy. Success
 * emits `impulse.trigger.fired`; a failure emits `impulse.trigger.failed` and, when it is permanent
 * or the firing's last chance, goes to the dead-letter stream (`impulse.trigger.deadlettered`).
 * A firing that reports itself superseded is done when the firing that covers it is.
 */
export class FiringExecutor {
  private readonly labels: { sensor_name: string; trigger_name: string };
  /** Firings in work (or waiting to be tried again), and what resolves once each is finished. */
  private readonly pending = new Map<string, { done: Promise<void>; settle(): void }>();

  constructor(private readonly options: FiringExecutorOptions) {
    this.labels = { sensor_name: options.sensor, trigger_name: options.trigger.template.name };
  }

  async run(request: ExecutionRequest): Promise<ExecutionResult> {
    const { firing } = request;
    const { signal, rateLimiter } = this.options;
    if (!this.options.active()) return ABANDONED;
    if (rateLimiter) {
      try {
        await rateLimiter.take(signal);
      } catch {
        return ABANDONED;
      }
      if (!this.options.active()) return ABANDONED;
    }
    this.track(firing.id);
    const result = await this.execute(request);
    if (result.kind === 'done' || result.kind === 'dead-lettered') this.settle(firing.id);
    return result;
  }

  /** Releases firings waiting for successors that will not finish here; call when stopping. */
  close(): void {
    for (const id of [...this.pending.keys()]) this.settle(id);
  }

  private async execute(request: ExecutionRequest): Promise<ExecutionResult> {
    const { firing, failuresBefore } = request;
    const { trigger, driver, retry, logger, metrics, signal, outcomes } = this.options;
    let attempts = 0;
    const started = performance.now();
    let outcome: TriggerOutcome;
    try {
      outcome = await withRetry(
        retry,
        (attempt) => {
          attempts = attempt;
          if (!this.options.active()) throw new ImpulseError('CLOSED', 'this replica stopped acting');
          return executeTrigger(trigger, driver, firing, this.context(request));
        },
        {
          signal,
          onRetry: (error, attempt, delayMs) => {
            metrics.actionFailed.inc(this.labels);
            logger.warn(
              { firingId: firing.id, attempt, delayMs, err: error.message },
              'trigger failed; retrying',
            );
          },
        },
      );
    } catch (raw) {
      if (!this.options.active() || signal.aborted) return ABANDONED;
      return this.failed(request, toImpulseError(raw), failuresBefore * retry.attempts + attempts);
    }
    const attempt = failuresBefore * retry.attempts + attempts;
    if (outcome.status === 'superseded') {
      metrics.actionSuperseded.inc(this.labels);
      logger.debug({ firingId: firing.id, by: outcome.by }, 'firing superseded; waiting for the later one');
      await this.waitFor(outcome.by);
      if (!this.options.active()) return ABANDONED;
      await outcomes.emit(firing, OUTCOME.fired, { attempt, supersededBy: outcome.by });
      return { kind: 'done' };
    }
    metrics.actionTriggered.inc(this.labels);
    metrics.actionDuration.observe(this.labels, performance.now() - started);
    await outcomes.emit(firing, OUTCOME.fired, { attempt, ...(outcome.detail ?? {}) });
    logger.debug({ firingId: firing.id, events: Object.keys(firing.events) }, 'trigger succeeded');
    return { kind: 'done' };
  }

  private async failed(
    request: ExecutionRequest,
    error: ImpulseError,
    attempt: number,
  ): Promise<ExecutionResult> {
    const { firing } = request;
    const { metrics, logger, outcomes } = this.options;
    metrics.actionFailed.inc(this.labels);
    metrics.actionRetriesFailed.inc(this.labels);
    const failure = { code: error.code, message: error.message };
    await outcomes.emit(firing, OUTCOME.failed, { attempt, error: failure });
    const permanent = isPermanent(error);
    if (!permanent && !request.lastChance) {
      logger.error(
        { firingId: firing.id, err: error.message, code: error.code, attempts: attempt },
        'trigger failed after all attempts; it will be tried again',
      );
      return { kind: 'retry', error };
    }
    return this.deadLetter(request, failure, attempt, permanent ? 'failed' : 'max-deliveries');
  }

  /** Dead-letters a firing without executing it: its message is on its last allowed delivery. */
  async deadLetterNow(request: ExecutionRequest): Promise<ExecutionResult> {
    if (!this.options.active()) return ABANDONED;
    const failure = { code: 'TRANSIENT', message: 'the message reached its last allowed delivery' };
    const attempt = request.failuresBefore * this.options.retry.attempts;
    await this.options.outcomes.emit(request.firing, OUTCOME.failed, { attempt, error: failure });
    return this.deadLetter(request, failure, attempt, 'max-deliveries');
  }

  private async deadLetter(
    request: ExecutionRequest,
    failure: { code: string; message: string },
    attempt: number,
    reason: 'failed' | 'max-deliveries',
  ): Promise<ExecutionResult> {
    const { firing } = request;
    const { metrics, logger, outcomes } = this.options;
    try {
      const letter = await this.options.deadLetters.send({
        firing,
        refs: request.refs,
        error: failure,
        attempts: attempt,
        reason,
        dedupId: request.dedupId,
        working: request.working,
      });
      metrics.actionDeadLettered.inc(this.labels);
      await outcomes.emit(firing, OUTCOME.deadlettered, { attempt, error: failure, deadLetterId: letter.id });
      logger.error(
        {
          firingId: firing.id,
          err: failure.message,
          code: failure.code,
          attempts: attempt,
          deadLetterId: letter.id,
          reason,
        },
        'trigger failed; sent to the dead-letter stream',
      );
      return { kind: 'dead-lettered' };
    } catch (err) {
      logger.error(
        { firingId: firing.id, err },
        'could not store a dead letter; the firing will be tried again',
      );
      return { kind: 'retry', error: toImpulseError(err) };
    }
  }

  private context(request: ExecutionRequest): TriggerContext {
    const { logger, secrets, signal, outcomes } = this.options;
    const { firing } = request;
    return {
      signal,
      // A child logger per firing costs more than the firing itself at thousands a second.
      get logger() {
        return logger.child({ firingId: firing.id });
      },
      secrets,
      working: request.working,
      emit: (type, data) => outcomes.emit(firing, type, isRecord(data) ? data : { value: data }),
    };
  }

  private track(id: string): void {
    if (this.pending.has(id)) return;
    // A firing that failed stays pending until it is tried again here, which may never happen (its
    // message may go to another replica): keep the oldest from piling up.
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.settle(oldest);
    }
    let settle = () => {};
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.pending.set(id, { done, settle });
  }

  private settle(id: string): void {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    entry?.settle();
  }

  /** Waits until firing `id` is finished; at once when it is not in work here (or already finished). */
  private async waitFor(id: string): Promise<void> {
    const entry = this.pending.get(id);
    if (!entry) return;
    const { signal } = this.options;
    await new Promise<void>((resolve) => {
      const onAbort = () => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      void entry.done.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
