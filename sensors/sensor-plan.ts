import { Cron } from 'croner';
import { durationToMs } from '../core/duration.ts';
import { ImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type {
  ConditionsResetCriteria,
  DeadLetterTrigger,
  EventDependency,
  Sensor,
  Trigger,
} from '../crds/index.ts';
import { eventSubject, outcomeSubject } from '../eventbus/index.ts';
import {
  type RetryPolicy,
  retryPolicy,
  type TriggerDriver,
  triggers,
  triggerType,
} from '../triggers/index.ts';
import { compileDependency } from './dependency.ts';
import { compileCondition } from './expressions/index.ts';
import { type CompiledPath, compilePath } from './paths/index.ts';
import type { RunnerDependency } from './trigger-runner.ts';

/** @default one hour */
export const DEFAULT_CORRELATION_WINDOW_MS = 60 * 60_000;

/** One trigger, ready to run: its driver, its dependencies and how they combine. */
export interface TriggerPlan {
  trigger: Trigger;
  name: string;
  driver: TriggerDriver;
  retry: RetryPolicy;
  dlq?: { trigger: DeadLetterTrigger; driver: TriggerDriver; retry: RetryPolicy };
  dependencies: RunnerDependency[];
  condition(present: ReadonlySet<string>): boolean;
  /** The condition as written, or every dependency joined with `&&`. */
  conditionText: string;
  /** Per dependency, its correlation key path, when the trigger is keyed. */
  correlationKeys?: Map<string, CompiledPath>;
  resets: ConditionsResetCriteria[];
}

/** A Sensor compiled once at start: anything that cannot work is an error naming its field. */
export interface SensorPlan {
  namespace: string;
  name: string;
  dependencies: EventDependency[];
  triggers: TriggerPlan[];
  /** How long keyed events wait for their partners. */
  windowMs: number;
  /** Every driver, to close on stop. */
  drivers: TriggerDriver[];
}

export interface PlanServices {
  secrets: SecretResolver;
  logger: Logger;
  /** The bus name, the prefix of every subject. */
  busName: string;
}

/**
 * Compiles dependencies (filters, subjects, correlation keys), conditions and trigger drivers.
 * Throws `UNSUPPORTED` or `INVALID_MANIFEST` naming the field; drivers made before the error are
 * closed.
 */
export function planSensor(sensor: Sensor, services: PlanServices): SensorPlan {
  const namespace = sensor.metadata.namespace ?? 'default';
  const name = sensor.metadata.name!;
  const dependencies = new Map<string, RunnerDependency>();
  const keys = new Map<string, CompiledPath>();
  sensor.spec.dependencies.forEach((dependency, i) => {
    const where = `spec.dependencies[${i}]`;
    const { outcomeOf } = dependency;
    // An outcome dependency names no EventSource; compile it with the trigger's names in their place.
    const source = outcomeOf
      ? { ...dependency, eventSourceName: outcomeOf.sensor, eventName: outcomeOf.trigger }
      : dependency;
    const subject = outcomeOf
      ? outcomeSubject(services.busName, outcomeOf.sensor, outcomeOf.trigger)
      : eventSubject(services.busName, dependency.eventSourceName, dependency.eventName);
    dependencies.set(dependency.name, { ...compileDependency(source, where), subject });
    if (dependency.correlationKey !== undefined)
      keys.set(dependency.name, compilePath(dependency.correlationKey));
  });
  const windowText = sensor.spec.correlationWindow;
  const windowMs = windowText === undefined ? DEFAULT_CORRELATION_WINDOW_MS : durationToMs(windowText);
  if (windowMs === undefined || windowMs <= 0) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `spec.correlationWindow: "${windowText}" is not a positive duration`,
    );
  }

  const drivers: TriggerDriver[] = [];
  const makeDriver = (trigger: Trigger | DeadLetterTrigger, where: string) => {
    const type = triggerType(trigger.template);
    const factory = triggers[type];
    if (!factory) {
      throw new ImpulseError(
        'UNSUPPORTED',
        `${where}.template.${type}: trigger type "${type}" is not implemented in this version of Impulse`,
      );
    }
    const driver = factory({
      sensor,
      trigger: trigger as Trigger,
      secrets: services.secrets,
      logger: services.logger,
    });
    drivers.push(driver);
    return driver;
  };
  try {
    const all = [...dependencies.keys()];
    const plans = sensor.spec.triggers.map((trigger, i): TriggerPlan => {
      const where = `spec.triggers[${i}]`;
      const driver = makeDriver(trigger, where);
      const conditions = trigger.template.conditions?.trim();
      const compiled = conditions ? compileCondition(conditions, all) : undefined;
      const names = compiled ? compiled.dependencies : all;
      const keyed = names.filter((n) => keys.has(n));
      if (keyed.length > 0 && keyed.length < names.length) {
        throw new ImpulseError(
          'INVALID_MANIFEST',
          `${where}: dependencies ${keyed.join(', ')} have a correlationKey and ${names.filter((n) => !keys.has(n)).join(', ')} do not; give all or none of them one`,
        );
      }
      for (const reset of trigger.template.conditionsReset ?? []) {
        try {
          new Cron(reset.byTime.cron, { paused: true, timezone: reset.byTime.timezone }).stop();
        } catch (err) {
          throw new ImpulseError(
            'INVALID_MANIFEST',
            `${where}.template.conditionsReset: ${(err as Error).message}`,
          );
        }
      }
      return {
        trigger,
        name: trigger.template.name,
        driver,
        retry: retryPolicy(trigger.retryStrategy),
        ...(trigger.dlqTrigger
          ? {
              dlq: {
                trigger: trigger.dlqTrigger,
                driver: makeDriver(trigger.dlqTrigger, `${where}.dlqTrigger`),
                retry: retryPolicy(trigger.dlqTrigger.retryStrategy),
              },
            }
          : {}),
        dependencies: names.map((n) => dependencies.get(n)!),
        condition: compiled
          ? (present) => compiled.evaluate(present)
          : (present) => all.every((n) => present.has(n)),
        conditionText: conditions ?? all.join(' && '),
        ...(keyed.length > 0 ? { correlationKeys: new Map(keyed.map((n) => [n, keys.get(n)!])) } : {}),
        resets: trigger.template.conditionsReset ?? [],
      };
    });
    return { namespace, name, dependencies: sensor.spec.dependencies, triggers: plans, windowMs, drivers };
  } catch (err) {
    for (const driver of drivers) void driver.close?.();
    throw err;
  }
}
