import { ImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type { Sensor, Trigger } from '../crds/index.ts';
import type { EventBus } from '../eventbus/index.ts';
import { retryPolicy, type TriggerDriver, triggers, triggerType } from '../triggers/index.ts';
import { CorrelationState } from './correlation.ts';
import { type CompiledDependency, compileDependency } from './dependency.ts';
import { compileCondition } from './expressions/index.ts';
import { TriggerRunner } from './trigger-runner.ts';

export interface SensorRuntimeOptions {
  bus: EventBus;
  logger: Logger;
  metrics: Metrics;
  secrets: SecretResolver;
  /** Passed to every trigger runner (tests shorten it). */
  ackWaitMs?: number;
  failureDelayMs?: number;
}

export interface SensorHandle {
  /** Connected to the bus and subscribed for every trigger. */
  health(): { ok: boolean; detail: Record<string, unknown> };
  /** Stops intake, drains in-flight work, releases trigger resources; safe to call twice. */
  close(): Promise<void>;
}

/** Trigger fields that later versions of Impulse implement; until then they stop the sensor at start. */
const NOT_YET: ReadonlyArray<[keyof Trigger | 'conditionsReset', string]> = [
  ['dlqTrigger', 'dead-letter triggers'],
  ['rateLimit', 'rate limits'],
];

/**
 * Starts a Sensor: compiles its dependencies and triggers (any problem is a startup error naming the
 * field), opens the durable consumers and starts correlating. Resolves once everything is subscribed.
 */
export async function startSensor(sensor: Sensor, options: SensorRuntimeOptions): Promise<SensorHandle> {
  const namespace = sensor.metadata.namespace ?? 'default';
  const name = sensor.metadata.name!;
  const logger = options.logger.child({ sensor: name });

  const dependencies = new Map<string, CompiledDependency>();
  sensor.spec.dependencies.forEach((dependency, i) => {
    dependencies.set(dependency.name, compileDependency(dependency, `spec.dependencies[${i}]`));
  });

  const kv = await options.bus.kv(`${options.bus.name}-correlation`);
  const runners: TriggerRunner[] = [];
  const drivers: TriggerDriver[] = [];
  try {
    sensor.spec.triggers.forEach((trigger, i) => {
      const where = `spec.triggers[${i}]`;
      for (const [field, what] of NOT_YET) {
        if ((trigger as Record<string, unknown>)[field] !== undefined) {
          throw new ImpulseError(
            'UNSUPPORTED',
            `${where}.${field}: ${what} are not supported in this version of Impulse`,
          );
        }
      }
      if (trigger.template.conditionsReset) {
        throw new ImpulseError(
          'UNSUPPORTED',
          `${where}.template.conditionsReset: condition resets are not supported in this version of Impulse`,
        );
      }
      const type = triggerType(trigger.template);
      const factory = triggers[type];
      if (!factory) {
        throw new ImpulseError(
          'UNSUPPORTED',
          `${where}.template.${type}: trigger type "${type}" is not implemented in this version of Impulse`,
        );
      }
      const driver = factory({ sensor, trigger, secrets: options.secrets, logger });
      drivers.push(driver);

      const all = [...dependencies.keys()];
      const conditions = trigger.template.conditions?.trim();
      const condition = conditions ? compileCondition(conditions, all) : undefined;
      const names = condition ? condition.dependencies : all;
      runners.push(
        new TriggerRunner({
          namespace,
          sensor: name,
          trigger,
          driver,
          dependencies: names.map((n) => dependencies.get(n)!),
          condition: condition
            ? (present) => condition.evaluate(present)
            : (present) => all.every((n) => present.has(n)),
          state: new CorrelationState(kv, `${namespace}.${name}.${trigger.template.name}`),
          retry: retryPolicy(trigger.retryStrategy),
          bus: options.bus,
          logger: logger.child({ trigger: trigger.template.name }),
          metrics: options.metrics,
          secrets: options.secrets,
          ackWaitMs: options.ackWaitMs,
          failureDelayMs: options.failureDelayMs,
        }),
      );
    });
    for (const runner of runners) await runner.start();
  } catch (err) {
    await Promise.allSettled(runners.map((r) => r.close()));
    await Promise.allSettled(drivers.map((d) => d.close?.()));
    throw err;
  }
  logger.info({ triggers: runners.map((r) => r.name) }, 'sensor started');

  let closing: Promise<void> | undefined;
  return {
    health() {
      const pending = runners.filter((r) => !r.ready).map((r) => r.name);
      const ok = options.bus.connected && pending.length === 0;
      return {
        ok,
        detail: {
          bus: options.bus.connected ? 'connected' : 'disconnected',
          ...(pending.length ? { pending } : {}),
        },
      };
    },
    close() {
      closing ??= (async () => {
        const results = await Promise.allSettled(runners.map((r) => r.close()));
        await Promise.allSettled(drivers.map((d) => d.close?.()));
        for (const r of results)
          if (r.status === 'rejected') logger.warn({ err: r.reason }, 'closing a trigger failed');
        logger.info('sensor stopped');
      })();
      return closing;
    },
  };
}
