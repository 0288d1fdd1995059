import { ImpulseError, toImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type { Trigger } from '../crds/index.ts';
import type { BusMessage, CloudEvent, EventBus } from '../eventbus/index.ts';
import { consumerName, eventSubject } from '../eventbus/index.ts';
import {
  createFiring,
  executeTrigger,
  type Firing,
  type RetryPolicy,
  type TriggerContext,
  type TriggerDriver,
  withRetry,
} from '../triggers/index.ts';
import type { CorrelationState, HeldEvent } from './correlation.ts';
import type { CompiledDependency } from './dependency.ts';
import { Semaphore, SerialQueue } from './serial-queue.ts';

export interface TriggerRunnerOptions {
  namespace: string;
  sensor: string;
  trigger: Trigger;
  driver: TriggerDriver;
  /** The dependencies this trigger waits for. */
  dependencies: CompiledDependency[];
  /** Whether the dependencies present now satisfy the trigger's condition. */
  condition(present: ReadonlySet<string>): boolean;
  state: CorrelationState;
  retry: RetryPolicy;
  bus: EventBus;
  logger: Logger;
  metrics: Metrics;
  secrets: SecretResolver;
  /** How long a delivered message may stay unacked before redelivery. @default 30000 */
  ackWaitMs?: number;
  /** Delay before a failed firing's message is delivered again. @default 5000 */
  failureDelayMs?: number;
  /** Executions of this trigger that may run at once. @default 64 */
  concurrency?: number;
}

/**
 * Runs one trigger of a sensor: a durable consumer per dependency, correlation in stream order, one
 * at a time, and executions (with retries) that may overlap. A message is acked only once its effect
 * is durable: held in KV, or its firing succeeded. A firing that fails all its attempts leaves its
 * message unacked (nak with a delay), so it is never lost.
 */
export class TriggerRunner {
  private readonly correlation = new SerialQueue();
  private readonly executions: Semaphore;
  private readonly abort = new AbortController();
  private readonly subscriptions: Array<{ close(): Promise<void> }> = [];
  private readonly loops: Promise<void>[] = [];
  private readonly labels: { sensor_name: string; trigger_name: string };
  private subscribed = 0;
  private readonly inFlight = new Set<BusMessage>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: TriggerRunnerOptions) {
    this.executions = new Semaphore(options.concurrency ?? 64);
    this.labels = { sensor_name: options.sensor, trigger_name: options.trigger.template.name };
  }

  get name(): string {
    return this.options.trigger.template.name;
  }

  /** True once every dependency's consumer is open. */
  get ready(): boolean {
    return this.subscribed === this.options.dependencies.length;
  }

  async start(): Promise<void> {
    const { bus, namespace, sensor, dependencies } = this.options;
    await this.options.state.load();
    this.startHeartbeat();
    for (const dependency of dependencies) {
      const subscription = await bus.subscribe({
        durable: consumerName(`${namespace}.${sensor}`, this.name, dependency.name),
        filterSubject: eventSubject(bus.name, dependency.eventSourceName, dependency.eventName),
        ackWaitMs: this.options.ackWaitMs ?? 30_000,
        signal: this.abort.signal,
      });
      this.subscriptions.push(subscription);
      this.subscribed++;
      this.loops.push(this.consume(dependency, subscription));
    }
  }

  private async consume(dependency: CompiledDependency, messages: AsyncIterable<BusMessage>): Promise<void> {
    try {
      for await (const message of messages) {
        await this.correlation.run(() => this.correlate(dependency, message));
      }
    } catch (err) {
      if (!this.abort.signal.aborted) {
        this.options.logger.error({ err, dependency: dependency.name }, 'subscription ended unexpectedly');
      }
    }
  }

  /** Correlates one message; runs alone, in stream order per dependency. */
  private async correlate(dependency: CompiledDependency, message: BusMessage): Promise<void> {
    const { logger, state, condition } = this.options;
    const event = message.event;
    const verdict = dependency.accepts(event);
    if (!verdict.pass) {
      logger.info(
        { dependency: dependency.name, eventId: event.id, reason: verdict.reason },
        'event discarded by filters',
      );
      await message.ack();
      return;
    }

    const held = state.held();
    const present = new Set([...Object.keys(held), dependency.name]);
    if (!condition(present)) {
      await state.hold(dependency.name, { id: event.id, seq: message.seq });
      await message.ack();
      return;
    }

    // The condition holds: fire with this event and everything held for the other dependencies.
    const used: Record<string, HeldEvent> = {};
    const events: Record<string, CloudEvent> = { [dependency.name]: event };
    for (const [name, ref] of Object.entries(held)) {
      if (name === dependency.name) continue;
      const stored = await this.options.bus.getEvent(ref.seq);
      if (!stored || stored.id !== ref.id) {
        logger.warn(
          { dependency: name, eventId: ref.id, seq: ref.seq },
          'held event is no longer in the stream; firing without it',
        );
        continue;
      }
      used[name] = ref;
      events[name] = stored;
    }
    if (held[dependency.name]) used[dependency.name] = held[dependency.name]!;
    const firing = createFiring(this.options.namespace, this.options.sensor, this.name, events);

    if (Object.keys(used).length === 0) {
      // Nothing held is involved, so this firing can overlap with the next messages.
      await this.executions.start(() => this.fire(firing, message, used));
    } else {
      await this.fire(firing, message, used);
    }
  }

  private async fire(firing: Firing, message: BusMessage, used: Record<string, HeldEvent>): Promise<void> {
    const { trigger, driver, logger, metrics, retry } = this.options;
    const atLeastOnce = trigger.atLeastOnce !== false;
    if (!atLeastOnce) await message.ack();
    else this.inFlight.add(message);
    const ctx: TriggerContext = {
      signal: this.abort.signal,
      // A child logger per firing costs more than the firing itself at thousands a second.
      get logger() {
        return logger.child({ firingId: firing.id });
      },
      secrets: this.options.secrets,
      working: () => message.working(),
      emit: async () => {
        throw new ImpulseError('UNSUPPORTED', 'outcome events are not available in this version of Impulse');
      },
    };
    const started = performance.now();
    try {
      await withRetry(retry, () => executeTrigger(trigger, driver, firing, ctx), {
        signal: this.abort.signal,
        onRetry: (error, attempt, delayMs) => {
          metrics.actionFailed.inc(this.labels);
          logger.warn(
            { firingId: firing.id, attempt, delayMs, err: error.message },
            'trigger failed; retrying',
          );
        },
      });
      metrics.actionTriggered.inc(this.labels);
      metrics.actionDuration.observe(this.labels, performance.now() - started);
      if (Object.keys(used).length > 0) await this.options.state.release(used);
      if (atLeastOnce) await message.ack();
      logger.debug({ firingId: firing.id, events: Object.keys(firing.events) }, 'trigger succeeded');
    } catch (raw) {
      const error = toImpulseError(raw);
      metrics.actionFailed.inc(this.labels);
      metrics.actionRetriesFailed.inc(this.labels);
      const delayMs = this.options.failureDelayMs ?? 5000;
      logger.error(
        { firingId: firing.id, err: error.message, code: error.code, attempts: error.details?.attempts },
        'trigger failed after all attempts; the event will be delivered again',
      );
      if (atLeastOnce) message.nak(delayMs);
    } finally {
      this.inFlight.delete(message);
    }
  }

  /** Tells the bus, every half ack wait, that the messages of running firings are still in work. */
  private startHeartbeat(): void {
    const every = Math.max(100, (this.options.ackWaitMs ?? 30_000) / 2);
    this.heartbeat = setInterval(() => {
      for (const message of this.inFlight) message.working();
    }, every);
    this.heartbeat.unref();
  }

  /** Stops taking messages, lets correlation and running executions finish, then returns. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const results = await Promise.allSettled(this.subscriptions.map((s) => s.close()));
      await Promise.allSettled(this.loops);
      await this.correlation.idle();
      await this.executions.idle();
      this.abort.abort();
      clearInterval(this.heartbeat);
      for (const r of results)
        if (r.status === 'rejected')
          this.options.logger.warn({ err: r.reason }, 'closing a subscription failed');
    })();
    return this.closing;
  }
}
