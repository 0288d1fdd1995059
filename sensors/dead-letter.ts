import { toImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type { DeadLetterTrigger } from '../crds/index.ts';
import type { DeadLetter, DeadLetterInput, EventBus } from '../eventbus/index.ts';
import {
  createFiring,
  executeTrigger,
  type Firing,
  type RetryPolicy,
  type TriggerDriver,
  withRetry,
} from '../triggers/index.ts';
import type { HeldEvent } from './correlation.ts';

export interface DeadLetterRequest {
  firing: Firing;
  refs: Record<string, HeldEvent>;
  error: { code: string; message: string };
  attempts: number;
  reason: DeadLetterInput['reason'];
  dedupId: string;
  working(): void;
}

export interface DeadLetterSenderOptions {
  bus: EventBus;
  logger: Logger;
  secrets: SecretResolver;
  signal: AbortSignal;
  /** The trigger's `dlqTrigger`, its driver and retry policy, when it has one. */
  dlq?: { trigger: DeadLetterTrigger; driver: TriggerDriver; retry: RetryPolicy };
}

/**
 * Sends a failed firing to the dead-letter stream: first the `dlqTrigger` (with its own retries;
 * its result is kept in the letter), then the letter itself, which must be durable before the
 * caller acks anything. The `dlqTrigger` firing has its own deterministic id, so a repeat after a
 * crash carries the same `Idempotency-Key`.
 */
export class DeadLetterSender {
  constructor(private readonly options: DeadLetterSenderOptions) {}

  async send(request: DeadLetterRequest): Promise<DeadLetter> {
    const { firing } = request;
    const dlqTrigger = await this.fireDlqTrigger(request);
    const queue = await this.options.bus.deadLetters();
    return queue.add(
      {
        namespace: firing.namespace,
        sensor: firing.sensor,
        trigger: firing.trigger,
        firingId: firing.id,
        events: firing.events,
        refs: Object.fromEntries(
          Object.entries(request.refs).map(([dep, ref]) => [dep, { id: ref.id, seq: ref.seq }]),
        ),
        error: request.error,
        attempts: request.attempts,
        reason: request.reason,
        ...(dlqTrigger ? { dlqTrigger } : {}),
      },
      { dedupId: request.dedupId },
    );
  }

  private async fireDlqTrigger(request: DeadLetterRequest): Promise<DeadLetterInput['dlqTrigger']> {
    const { dlq, logger, secrets, signal } = this.options;
    if (!dlq) return undefined;
    const { firing } = request;
    const dlqFiring = createFiring(firing.namespace, firing.sensor, dlq.trigger.template.name, firing.events);
    try {
      await withRetry(
        dlq.retry,
        () =>
          executeTrigger(dlq.trigger, dlq.driver, dlqFiring, {
            signal,
            logger,
            secrets,
            working: request.working,
            emit: async () => undefined,
          }),
        { signal },
      );
      logger.info({ firingId: firing.id, dlqFiringId: dlqFiring.id }, 'dlqTrigger fired');
      return { status: 'succeeded' };
    } catch (raw) {
      const error = toImpulseError(raw);
      logger.error({ firingId: firing.id, err: error.message }, 'dlqTrigger failed');
      return { status: 'failed', error: error.message };
    }
  }
}
