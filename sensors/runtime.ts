import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cron } from 'croner';
import { toImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type { Sensor } from '../crds/index.ts';
import { acquireLease, type EventBus, type Lease } from '../eventbus/index.ts';
import { Correlator } from './correlator.ts';
import { DeadLetterSender } from './dead-letter.ts';
import { FiringExecutor } from './firing-executor.ts';
import { OutcomeEmitter } from './outcomes.ts';
import { RateLimiter } from './rate-limiter.ts';
import { planSensor, type SensorPlan, type TriggerPlan } from './sensor-plan.ts';
import { applySpecChanges } from './spec-changes.ts';
import { TriggerRunner } from './trigger-runner.ts';

export interface SensorRuntimeOptions {
  bus: EventBus;
  logger: Logger;
  metrics: Metrics;
  secrets: SecretResolver;
  /** Passed to every trigger runner (tests shorten them). */
  ackWaitMs?: number;
  failureDelayMs?: number;
  /** Deliveries of a message before it goes to the dead-letter stream. @default 10 */
  maxDeliver?: number;
  /** The sensor lease's time to live. @default 6000 */
  leaseTtlMs?: number;
  /** This replica's name in the lease. @default host, pid and a random part */
  holder?: string;
}

export interface SensorHandle {
  /** Healthy when connected and, as the active replica, subscribed for every trigger. */
  health(): { ok: boolean; detail: Record<string, unknown> };
  /** Stops intake, drains in-flight work, releases the lease and trigger resources; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a Sensor: compiles its dependencies and triggers (any problem is a startup error naming the
 * field), then runs it active-passive. Replicas of one sensor share the lease
 * `sensor.<namespace>.<name>`; the holder clears state that a spec change made stale and runs the
 * triggers, the others wait. A holder that loses the lease (it could not renew in time, or was
 * paused past it) stops acting at once, gives its messages back and waits again; it never exits.
 */
export async function startSensor(sensor: Sensor, options: SensorRuntimeOptions): Promise<SensorHandle> {
  const logger = options.logger.child({ sensor: sensor.metadata.name });
  const plan = planSensor(sensor, { secrets: options.secrets, logger, busName: options.bus.name });
  // jq programs compile in the script worker, so a broken one is found here, before anything runs.
  const withStages = new Set(plan.triggers.flatMap((t) => t.dependencies).filter((d) => d.stages));
  for (const dependency of withStages) await dependency.stages!.prepare();
  const replica = new SensorReplica(plan, { ...options, logger });
  replica.start();
  logger.info({ triggers: plan.triggers.map((t) => t.name) }, 'sensor started');
  return replica;
}

interface Activation {
  runners: TriggerRunner[];
  aborts: AbortController[];
  /** Every runner has started. */
  started: boolean;
}

class SensorReplica implements SensorHandle {
  private readonly stop = new AbortController();
  private readonly holder: string;
  private role: 'standby' | 'active' = 'standby';
  private activation: Activation | undefined;
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly plan: SensorPlan,
    private readonly options: SensorRuntimeOptions,
  ) {
    this.holder = options.holder ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    this.loop = this.run();
  }

  health(): { ok: boolean; detail: Record<string, unknown> } {
    const { bus } = this.options;
    const pending = (this.activation?.runners ?? []).filter((r) => !r.ready).map((r) => r.name);
    const active = this.role === 'active' && this.activation?.started === true;
    return {
      ok: bus.connected && active && pending.length === 0,
      detail: {
        bus: bus.connected ? 'connected' : 'disconnected',
        role: this.role,
        ...(pending.length ? { pending } : {}),
      },
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      await this.loop;
      await Promise.allSettled(this.plan.drivers.map((d) => d.close?.()));
      this.options.logger.info('sensor stopped');
    })();
    return this.closing;
  }

  private async run(): Promise<void> {
    const { bus, logger } = this.options;
    const key = `sensor.${this.plan.namespace}.${this.plan.name}`;
    let failures = 0;
    while (!this.stop.signal.aborted) {
      let lease: Lease;
      try {
        lease = await acquireLease({
          bus,
          key,
          holder: this.holder,
          ttlMs: this.options.leaseTtlMs,
          signal: this.stop.signal,
          logger,
        });
      } catch (err) {
        if (!this.stop.signal.aborted)
          logger.warn({ err: toImpulseError(err).message }, 'cannot take the sensor lease yet');
        await sleep(1000, undefined, { signal: this.stop.signal }).catch(() => undefined);
        continue;
      }
      logger.info({ holder: this.holder }, 'holding the sensor lease: active');
      this.role = 'active';
      try {
        this.activation = await this.activate(lease);
        failures = 0;
        await untilAborted(lease.signal, this.stop.signal);
      } catch (err) {
        failures++;
        logger.error({ err: toImpulseError(err).message }, 'could not start the triggers; trying again');
      } finally {
        const lost = lease.signal.aborted;
        await this.deactivate(lost);
        this.role = 'standby';
        await lease.close();
        if (lost && !this.stop.signal.aborted) logger.warn('lost the sensor lease: standing by');
      }
      if (failures > 0)
        await sleep(Math.min(30_000, 500 * 2 ** failures), undefined, { signal: this.stop.signal }).catch(
          () => undefined,
        );
    }
  }

  private async activate(lease: Lease): Promise<Activation> {
    const { bus, logger } = this.options;
    const activation: Activation = { runners: [], aborts: [], started: false };
    this.activation = activation;
    const kv = await bus.kv(`${bus.name}-correlation`);
    await applySpecChanges({ kv, bus, plan: this.plan, logger });
    for (const trigger of this.plan.triggers) {
      const abort = new AbortController();
      // Every waiting firing (rate limit, retry back-off) listens on it.
      setMaxListeners(0, abort.signal);
      activation.aborts.push(abort);
      const runner = this.runnerFor(trigger, kv, abort, () => lease.held);
      activation.runners.push(runner);
      await runner.start();
    }
    activation.started = true;
    // From here on events reach the triggers; a first start's consumers see only what comes after.
    logger.info('sensor active: every trigger subscribed');
    return activation;
  }

  /** Stops every runner: draining their work, or (the lease is gone) giving it back at once. */
  private async deactivate(lost: boolean): Promise<void> {
    const activation = this.activation;
    this.activation = undefined;
    if (!activation) return;
    if (lost) for (const abort of activation.aborts) abort.abort();
    const results = await Promise.allSettled(activation.runners.map((r) => r.close()));
    for (const r of results) {
      if (r.status === 'rejected') this.options.logger.warn({ err: r.reason }, 'closing a trigger failed');
    }
  }

  private runnerFor(
    plan: TriggerPlan,
    kv: Awaited<ReturnType<EventBus['kv']>>,
    abort: AbortController,
    active: () => boolean,
  ): TriggerRunner {
    const { bus, metrics, secrets } = this.options;
    const { namespace, name: sensor } = this.plan;
    const logger = this.options.logger.child({ trigger: plan.name });
    const correlator = new Correlator({
      namespace,
      sensor,
      trigger: plan.name,
      kv,
      bus,
      logger,
      condition: plan.condition,
      correlationKeys: plan.correlationKeys,
      windowMs: this.plan.windowMs,
      onReplaced: () => metrics.eventsReplaced.inc({ sensor_name: sensor, trigger_name: plan.name }),
      shape: async (name, event) => {
        const stages = plan.dependencies.find((d) => d.name === name)?.stages;
        return stages ? stages.shape(event) : event;
      },
    });
    const executor = new FiringExecutor({
      sensor,
      trigger: plan.trigger,
      driver: plan.driver,
      retry: plan.retry,
      rateLimiter: plan.trigger.rateLimit ? new RateLimiter(plan.trigger.rateLimit) : undefined,
      outcomes: new OutcomeEmitter(bus, sensor, plan.name, logger),
      deadLetters: new DeadLetterSender({ bus, logger, secrets, signal: abort.signal, dlq: plan.dlq }),
      logger,
      metrics,
      secrets,
      signal: abort.signal,
      active,
    });
    // Paused, without a job: only asked when their next tick after a time is.
    const resets = plan.resets.map(
      (r) => new Cron(r.byTime.cron, { paused: true, timezone: r.byTime.timezone }),
    );
    const runner = new TriggerRunner({
      namespace,
      sensor,
      trigger: plan.name,
      atLeastOnce: plan.trigger.atLeastOnce !== false,
      dependencies: plan.dependencies,
      correlator,
      executor,
      bus,
      logger,
      abort,
      active,
      ...(resets.length > 0
        ? { staleAtStart: (at) => at !== undefined && resets.some((c) => tickedSince(c, at)) }
        : {}),
      ackWaitMs: this.options.ackWaitMs,
      failureDelayMs: this.options.failureDelayMs,
      maxDeliver: this.options.maxDeliver,
    });
    for (const reset of plan.resets) {
      const { cron, timezone } = reset.byTime;
      const job = new Cron(cron, { timezone, unref: true }, () => {
        logger.info({ cron }, 'conditionsReset: dropping the held events');
        void runner.serially(() => correlator.resetHeld()).catch(() => undefined);
      });
      runner.onClose(() => job.stop());
    }
    if (plan.correlationKeys) {
      runner.every(Math.min(60_000, Math.max(1000, this.plan.windowMs / 4)), () => correlator.sweep());
    }
    return runner;
  }
}

/** Whether `cron` had a tick after `at` (ms since the epoch) and before now. */
function tickedSince(cron: Cron, at: number): boolean {
  const next = cron.nextRun(new Date(at));
  return next !== null && next.getTime() <= Date.now();
}

function untilAborted(...signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    for (const signal of signals) signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
