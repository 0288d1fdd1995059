import { toImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { BusMessage, EventBus, Subscription } from '../eventbus/index.ts';
import { consumerName, redriveSubject } from '../eventbus/index.ts';
import { createFiring, type Firing } from '../triggers/index.ts';
import type { Correlator } from './correlator.ts';
import type { CompiledDependency } from './dependency.ts';
import type { FilterVerdict } from './filters/index.ts';
import type { ExecutionRequest, FiringExecutor } from './firing-executor.ts';
import { InFlight } from './in-flight.ts';
import { RecordedFirings } from './recorded-firings.ts';
import { readRedrive } from './redrive.ts';
import { Semaphore, SerialQueue } from './serial-queue.ts';

/** A dependency with the subject its events arrive on (an EventSource's, or a trigger's outcomes). */
export interface RunnerDependency extends CompiledDependency {
  subject: string;
}

export interface TriggerRunnerOptions {
  namespace: string;
  sensor: string;
  trigger: string;
  /** `false` acks before executing (Argo Events' `atLeastOnce: false`). */
  atLeastOnce: boolean;
  /** The dependencies this trigger waits for. */
  dependencies: RunnerDependency[];
  correlator: Correlator;
  executor: FiringExecutor;
  bus: EventBus;
  logger: Logger;
  /** Aborting it makes executions give up at once (the lease is lost); `close()` drains instead. */
  abort: AbortController;
  /** Whether this replica may act right now. */
  active(): boolean;
  /** Held events whose time (ms since the epoch) makes them stale at start (`conditionsReset`). */
  staleAtStart?(at: number | undefined): boolean;
  /**
   * How long a delivered message may go without an ack or a heartbeat before JetStream delivers it
   * again. Short, because it is also how long a message waits that JetStream handed to a replica
   * that died (or to the dead replica's last pull request); the heartbeat keeps long work alive.
   * @default 5000
   */
  ackWaitMs?: number;
  /** First delay before a failed firing is tried again; it doubles per failure, up to 5 min. @default 5000 */
  failureDelayMs?: number;
  /** Executions of this trigger that may run at once. @default 64 */
  concurrency?: number;
  /** Deliveries of a message; the last one goes to the dead-letter stream. @default 10 */
  maxDeliver?: number;
}

/**
 * Runs one trigger of a sensor. Every dependency has a durable consumer, and a redrive consumer
 * brings back dead letters. Correlation runs one message at a time in stream order; executions
 * overlap (up to `concurrency`). A message is acked only once its effect is durable: held in KV,
 * recorded as part of a firing, executed successfully, or stored as a dead letter. Every message is
 * kept from redelivery while it waits or works, and none reaches JetStream's max-deliver limit: its
 * last delivery goes to the dead-letter stream.
 */
export class TriggerRunner {
  private readonly correlation = new SerialQueue();
  private readonly executions: Semaphore;
  private readonly subscriptions: Subscription[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight: InFlight;
  private readonly records: RecordedFirings;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly cleanups: Array<() => void> = [];
  private readonly ackWaitMs: number;
  private readonly maxDeliver: number;
  private subscribed = 0;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: TriggerRunnerOptions) {
    this.executions = new Semaphore(options.concurrency ?? 64);
    this.ackWaitMs = options.ackWaitMs ?? 5000;
    this.maxDeliver = Math.max(2, options.maxDeliver ?? 10);
    this.inFlight = new InFlight(this.ackWaitMs, options.failureDelayMs ?? 5000, options.logger);
    this.records = new RecordedFirings({
      correlator: options.correlator,
      executor: options.executor,
      executions: this.executions,
      logger: options.logger,
      maxDeliver: this.maxDeliver,
      delay: (failures) => this.inFlight.delay(failures),
      acting: () => this.acting,
    });
  }

  get name(): string {
    return this.options.trigger;
  }

  /** True once every consumer is open. */
  get ready(): boolean {
    return this.subscribed === this.options.dependencies.length + 1;
  }

  /** Adds a timer that runs while the runner does (condition resets, sweeps); cleared by `close`. */
  every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => void this.correlation.run(task).catch(() => undefined), ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Adds a step to `close()` (stopping a schedule, say). */
  onClose(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  /** Runs `task` on the correlation queue, after the messages already queued. */
  serially(task: () => Promise<void>): Promise<void> {
    return this.correlation.run(task);
  }

  /** Loads the state, resumes recorded firings (in stream order), then opens the consumers. */
  async start(): Promise<void> {
    const { correlator, bus, namespace, sensor, staleAtStart } = this.options;
    await correlator.load();
    if (staleAtStart) await correlator.resetHeld(staleAtStart);
    for (const { entry, id, record } of correlator.records()) {
      await this.executions.start(() => this.records.resume(entry, id, record));
    }
    const subscribe = (durable: string, filterSubject: string) =>
      bus.subscribe({
        durable,
        filterSubject,
        ackWaitMs: this.ackWaitMs,
        maxDeliver: this.maxDeliver,
        signal: this.options.abort.signal,
      });
    for (const dependency of this.options.dependencies) {
      const subscription = await subscribe(
        consumerName(`${namespace}.${sensor}`, this.name, dependency.name),
        dependency.subject,
      );
      this.subscriptions.push(subscription);
      this.subscribed++;
      this.loops.push(
        this.consume(subscription, (m) => this.correlation.run(() => this.handle(dependency, m))),
      );
    }
    const redrive = await subscribe(
      consumerName(`${namespace}.${sensor}`, this.name, '\u0000redrive'),
      redriveSubject(bus.name, sensor, this.name),
    );
    this.subscriptions.push(redrive);
    this.subscribed++;
    this.loops.push(this.consume(redrive, (m) => this.executions.start(() => this.runRedrive(m))));
  }

  /** Reads a subscription without waiting for the work it hands on, so every message is tracked at once. */
  private async consume(
    messages: AsyncIterable<BusMessage>,
    take: (message: BusMessage) => Promise<void>,
  ): Promise<void> {
    try {
      for await (const message of messages) {
        this.inFlight.add(message);
        take(message).catch((err: unknown) => {
          this.options.logger.error(
            { err, seq: message.seq },
            'handling a message failed; it will be delivered again',
          );
          this.inFlight.retryLater(message);
        });
      }
    } catch (err) {
      if (!this.options.abort.signal.aborted)
        this.options.logger.error({ err }, 'subscription ended unexpectedly');
    }
  }

  private get acting(): boolean {
    return !this.options.abort.signal.aborted && this.options.active();
  }

  /** Correlates one message; runs alone, in stream order per dependency. */
  private async handle(dependency: RunnerDependency, message: BusMessage): Promise<void> {
    const { logger, correlator } = this.options;
    if (!this.acting) return this.inFlight.nak(message);
    let event = message.event;
    let verdict: FilterVerdict;
    if (dependency.stages) {
      // A transform or script filter runs in a worker; a script that fails drops the event, as in Argo.
      try {
        ({ event, verdict } = await dependency.stages.evaluate(message.event, dependency.accepts));
      } catch (err) {
        verdict = { pass: false, reason: (err as Error).message };
      }
    } else {
      verdict = dependency.accepts(event);
    }
    if (!verdict.pass) {
      logger.info(
        { dependency: dependency.name, eventId: event.id, reason: verdict.reason },
        'event discarded by filters',
      );
      return this.inFlight.ack(message);
    }
    if (message.deliveryCount >= this.maxDeliver) {
      const firing = this.single(dependency.name, message);
      const result = await this.options.executor.deadLetterNow(
        this.request(firing, message, dependency.name),
      );
      return this.inFlight.settle(result, message);
    }
    let decision: Awaited<ReturnType<Correlator['correlate']>>;
    try {
      decision = await correlator.correlate(dependency.name, message, this.options.abort.signal, event);
    } catch (err) {
      logger.warn({ err, eventId: event.id }, 'could not correlate an event; it will be delivered again');
      return this.inFlight.retryLater(message);
    }
    switch (decision.kind) {
      case 'ack':
        logger.info(
          { dependency: dependency.name, eventId: event.id, reason: decision.reason },
          'event not correlated',
        );
        return this.inFlight.ack(message);
      case 'ack-when-durable':
        decision.durable.then(
          () => this.inFlight.ack(message),
          () => this.inFlight.retryLater(message),
        );
        return;
      case 'single':
        await this.executions.start(() => this.runSingle(decision.firing, message, dependency.name));
        return;
      case 'recorded':
        await this.executions.start(async () => {
          try {
            await decision.durable;
          } catch {
            return this.inFlight.retryLater(message);
          }
          this.inFlight.ack(message);
          await this.records.run(decision.entry, decision.firing, decision.record);
        });
    }
  }

  private async runSingle(firing: Firing, message: BusMessage, dependency: string): Promise<void> {
    if (!this.options.atLeastOnce) {
      this.inFlight.ack(message);
      await this.options.executor.run({ ...this.request(firing, message, dependency), lastChance: true });
      return;
    }
    this.inFlight.settle(await this.options.executor.run(this.request(firing, message, dependency)), message);
  }

  private async runRedrive(message: BusMessage): Promise<void> {
    const { namespace, sensor, bus, logger } = this.options;
    let redrive: Awaited<ReturnType<typeof readRedrive>>;
    try {
      redrive = await readRedrive(message.event, bus);
    } catch (raw) {
      const err = toImpulseError(raw);
      if (err.transient) return this.inFlight.retryLater(message);
      logger.error({ err: err.message, eventId: message.event.id }, 'cannot redrive this request');
      return this.inFlight.ack(message);
    }
    const firing = createFiring(namespace, sensor, this.name, redrive.events);
    logger.info({ firingId: firing.id, deadLetterId: redrive.deadLetterId }, 'redriving a dead letter');
    const request = this.request(firing, message, undefined);
    this.inFlight.settle(await this.options.executor.run({ ...request, refs: redrive.refs }), message);
  }

  private single(dependency: string, message: BusMessage): Firing {
    return createFiring(this.options.namespace, this.options.sensor, this.name, {
      [dependency]: message.event,
    });
  }

  private request(firing: Firing, message: BusMessage, dependency: string | undefined): ExecutionRequest {
    return {
      firing,
      refs: dependency ? { [dependency]: { id: message.event.id, seq: message.seq } } : {},
      failuresBefore: message.deliveryCount - 1,
      lastChance: message.deliveryCount >= this.maxDeliver - 1,
      dedupId: `${firing.id}/${message.seq}`,
      working: () => message.working(),
    };
  }

  /** Stops taking messages and lets correlation and executions finish (or, after `abort`, give up). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const results = await Promise.allSettled(this.subscriptions.map((s) => s.close()));
      await Promise.allSettled(this.loops);
      await this.correlation.idle();
      await this.executions.idle();
      this.options.abort.abort();
      this.options.executor.close();
      for (const timer of this.timers) clearTimeout(timer);
      this.records.close();
      for (const cleanup of this.cleanups) cleanup();
      this.inFlight.close();
      for (const r of results)
        if (r.status === 'rejected')
          this.options.logger.warn({ err: r.reason }, 'closing a subscription failed');
    })();
    return this.closing;
  }
}
