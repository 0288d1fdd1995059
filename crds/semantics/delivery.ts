import { Cron } from 'croner';
import { compileCondition } from '../../sensors/expressions/index.ts';
import { compilePath } from '../../sensors/paths/index.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import type { Sensor } from '../sensor.ts';
import { durationProblem, isKnownTimeZone, subjectTokenProblem } from './shared.ts';

/**
 * Checks the delivery fields of a Sensor: where each dependency's events come from (an EventSource,
 * or `outcomeOf` another trigger), keyed correlation (`correlationKey`, `correlationWindow`),
 * `conditionsReset` schedules, and trigger names, which become NATS subject tokens of outcome events.
 */
export function deliveryProblems(sensor: Sensor): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const push = (p: SemanticProblem | undefined) => p && problems.push(p);
  const spec = sensor.spec;
  const keyed = new Set<string>();

  (spec.dependencies ?? []).forEach((dependency, i) => {
    const path: FieldPath = ['spec', 'dependencies', i];
    const { outcomeOf } = dependency;
    if (outcomeOf) {
      for (const field of ['eventSourceName', 'eventName'] as const) {
        if (dependency[field] !== undefined) {
          problems.push({
            path: [...path, field],
            message: `an outcomeOf dependency reads trigger outcomes, not an EventSource; remove ${field}`,
          });
        }
      }
      push(subjectTokenProblem([...path, 'outcomeOf', 'sensor'], outcomeOf.sensor, 'sensor name'));
      push(subjectTokenProblem([...path, 'outcomeOf', 'trigger'], outcomeOf.trigger, 'trigger name'));
    }
    if (dependency.correlationKey !== undefined) {
      keyed.add(dependency.name);
      try {
        compilePath(dependency.correlationKey);
      } catch (err) {
        problems.push({ path: [...path, 'correlationKey'], message: (err as Error).message });
      }
    }
  });

  const window = durationProblem(['spec', 'correlationWindow'], spec.correlationWindow);
  if (window) problems.push(window);

  const all = (spec.dependencies ?? []).map((d) => d.name);
  (spec.triggers ?? []).forEach((trigger, i) => {
    const path: FieldPath = ['spec', 'triggers', i];
    const template = trigger.template;
    push(subjectTokenProblem([...path, 'template', 'name'], template.name, 'trigger name'));
    const conditions = template.conditions?.trim();
    let used = all;
    try {
      if (conditions) used = compileCondition(conditions, all).dependencies;
    } catch {
      // A broken condition is reported where conditions are checked.
    }
    const keyedUsed = used.filter((name) => keyed.has(name));
    if (keyedUsed.length > 0 && keyedUsed.length < used.length) {
      problems.push({
        path: [...path, 'template', conditions ? 'conditions' : 'name'],
        message: `joins keyed dependencies (${keyedUsed.join(', ')}) with unkeyed ones (${used
          .filter((name) => !keyed.has(name))
          .join(', ')}); give every dependency of this trigger a correlationKey, or none`,
      });
    }
    const dlq = trigger.dlqTrigger;
    if (dlq) {
      const ignored: Array<[FieldPath, unknown]> = [
        [['rateLimit'], dlq.rateLimit],
        [['atLeastOnce'], dlq.atLeastOnce],
        [['template', 'conditions'], dlq.template.conditions],
        [['template', 'conditionsReset'], dlq.template.conditionsReset],
      ];
      for (const [field, value] of ignored) {
        if (value === undefined) continue;
        problems.push({
          path: [...path, 'dlqTrigger', ...field],
          message:
            'has no effect on a dlqTrigger, which fires once for each dead letter of its trigger; remove it',
        });
      }
    }
    template.conditionsReset?.forEach((reset, j) => {
      const at: FieldPath = [...path, 'template', 'conditionsReset', j, 'byTime'];
      const zone = reset.byTime.timezone;
      if (zone !== undefined && !isKnownTimeZone(zone)) {
        problems.push({ path: [...at, 'timezone'], message: `unknown time zone "${zone}"` });
        return;
      }
      try {
        new Cron(reset.byTime.cron, { paused: true, ...(zone ? { timezone: zone } : {}) }).stop();
      } catch (err) {
        problems.push({ path: [...at, 'cron'], message: `not a cron schedule: ${(err as Error).message}` });
      }
    });
  });
  return problems;
}
