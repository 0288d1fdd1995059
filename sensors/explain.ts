import { durationToMs } from '../core/duration.ts';
import { ImpulseError, toImpulseError } from '../core/errors.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type { Sensor, Trigger } from '../crds/index.ts';
import type { CloudEvent } from '../eventbus/index.ts';
import { createFiring, previewTrigger, type TriggerPreview } from '../triggers/index.ts';
import { type CompiledDependency, compileDependency, type FilterCheck } from './dependency.ts';
import { compileCondition } from './expressions/index.ts';
import { type CompiledPath, compilePath } from './paths/index.ts';
import { DEFAULT_CORRELATION_WINDOW_MS } from './sensor-plan.ts';

/** One event to evaluate, with a label for the reader (its file). */
export interface EventToExplain {
  label: string;
  event: CloudEvent;
}

export interface DependencyExplanation {
  name: string;
  /** How the filter kinds combine (`filtersLogicalOperator`). */
  operator: 'and' | 'or';
  pass: boolean;
  reason: string;
  /** Each filter's own verdict. */
  filters: FilterCheck[];
}

export interface FiringExplanation {
  trigger: string;
  firingId: string;
  /** The event id used for each dependency. */
  events: Record<string, string>;
  /** The correlation key value the events share, when the trigger is keyed. */
  key?: string;
  /** The trigger as it would run, or why it could not be resolved. */
  preview?: TriggerPreview;
  error?: string;
}

export interface EventExplanation {
  label: string;
  event: Pick<CloudEvent, 'id' | 'source' | 'subject' | 'type' | 'time'>;
  /** The dependencies that listen to this event's EventSource and event name (or sensor and trigger). */
  dependencies: DependencyExplanation[];
  /** Triggers whose condition this event completed. */
  fired: FiringExplanation[];
  /** Other things that happened to the event: not held for lack of a correlation key value, ... */
  notes: string[];
}

/** An event a trigger still holds after the last event. */
export interface HeldExplanation {
  dependency: string;
  event: string;
  /** The correlation key value it waits under, when the trigger is keyed. */
  key?: string;
}

export interface TriggerSummary {
  trigger: string;
  /** The dependencies its condition reads (all of the sensor's when it has no `conditions`). */
  dependencies: string[];
  fired: number;
  held: HeldExplanation[];
}

export interface SensorExplanation {
  sensor: string;
  events: EventExplanation[];
  triggers: TriggerSummary[];
}

interface Held {
  event: CloudEvent;
  at: number;
}

interface TriggerState {
  trigger: Trigger;
  dependencies: string[];
  condition(present: ReadonlySet<string>): boolean;
  /** Correlation key paths by dependency, when the trigger is keyed. */
  keys: Map<string, CompiledPath> | undefined;
  /** Held events per correlation key value ('' when not keyed). */
  held: Map<string, Map<string, Held>>;
  fired: number;
}

/**
 * Evaluates a Sensor against events in order, the way the running sensor would, without executing
 * anything: each dependency listening to an event runs its filters (every filter is reported, with
 * its reason), a passing event is held for the triggers that read that dependency (a newer event
 * replaces an older one; with `correlationKey`, per key value, and only for `correlationWindow`
 * measured in event time), and when a trigger's condition holds it "fires" with the held events,
 * which are then released. Each firing is resolved to what it would do (`previewTrigger`), with
 * secrets masked. Throws what compiling the Sensor throws (an unsupported filter, a bad condition).
 */
export function explainSensor(
  sensor: Sensor,
  events: readonly EventToExplain[],
  secrets: SecretResolver,
): SensorExplanation {
  const namespace = sensor.metadata.namespace ?? 'default';
  const name = sensor.metadata.name ?? '';
  const windowMs =
    sensor.spec.correlationWindow === undefined
      ? DEFAULT_CORRELATION_WINDOW_MS
      : (durationToMs(sensor.spec.correlationWindow) ?? DEFAULT_CORRELATION_WINDOW_MS);
  const dependencies = sensor.spec.dependencies.map((d, i) => {
    // An outcome dependency listens to another sensor's trigger, as the running sensor reads it.
    const source = d.outcomeOf
      ? { ...d, eventSourceName: d.outcomeOf.sensor, eventName: d.outcomeOf.trigger }
      : d;
    const compiled = compileDependency(source, `spec.dependencies[${i}]`);
    if (compiled.stages) {
      // They run in a worker; judging the other filters without them would give the wrong verdict.
      throw new ImpulseError(
        'UNSUPPORTED',
        `spec.dependencies[${i}]: test-sensor does not run script filters or transforms yet; the running sensor does`,
      );
    }
    return {
      compiled,
      operator: d.filtersLogicalOperator ?? 'and',
      key: d.correlationKey === undefined ? undefined : compilePath(d.correlationKey),
    };
  });
  const all = dependencies.map((d) => d.compiled.name);
  const states: TriggerState[] = sensor.spec.triggers.map((trigger) => {
    const text = trigger.template.conditions?.trim();
    const condition = text ? compileCondition(text, all) : undefined;
    const names = condition ? condition.dependencies : all;
    const keyed = dependencies.filter((d) => names.includes(d.compiled.name) && d.key);
    return {
      trigger,
      dependencies: names,
      condition: condition
        ? (present) => condition.evaluate(present)
        : (present) => all.every((n) => present.has(n)),
      keys: keyed.length > 0 ? new Map(keyed.map((d) => [d.compiled.name, d.key!])) : undefined,
      held: new Map(),
      fired: 0,
    };
  });

  const explained = events.map(({ label, event }) => {
    const listening = dependencies.filter(
      (d) => d.compiled.eventSourceName === event.source && d.compiled.eventName === event.subject,
    );
    const results = listening.map((d) => explainDependency(d.compiled, d.operator, event));
    const fired: FiringExplanation[] = [];
    const notes: string[] = [];
    for (const result of results) {
      if (!result.pass) continue;
      for (const state of states) {
        if (state.dependencies.includes(result.name)) correlate(state, result.name, event, fired, notes);
      }
    }
    const { id, source, subject, type, time } = event;
    return { label, event: { id, source, subject, type, time }, dependencies: results, fired, notes };
  });

  return {
    sensor: name,
    events: explained,
    triggers: states.map((s) => ({
      trigger: s.trigger.template.name,
      dependencies: s.dependencies,
      fired: s.fired,
      held: [...s.held].flatMap(([key, entry]) =>
        [...entry].map(([dependency, h]) => ({ dependency, event: h.event.id, ...(s.keys ? { key } : {}) })),
      ),
    })),
  };

  function correlate(
    state: TriggerState,
    dependency: string,
    event: CloudEvent,
    fired: FiringExplanation[],
    notes: string[],
  ): void {
    const triggerName = state.trigger.template.name;
    let key = '';
    if (state.keys) {
      const found = state.keys.get(dependency)?.(event.data);
      if (!found?.exists || found.value === null) {
        notes.push(
          `trigger ${triggerName}: the event has no value at ${dependency}'s correlationKey, so it is not held`,
        );
        return;
      }
      key = typeof found.value === 'string' ? found.value : (found.raw ?? String(found.value));
    }
    const at = Date.parse(event.time);
    const entry = state.held.get(key) ?? new Map<string, Held>();
    state.held.set(key, entry);
    if (state.keys) {
      for (const [dep, held] of entry) {
        if (at - held.at >= windowMs) {
          entry.delete(dep);
          notes.push(
            `trigger ${triggerName}: ${dep}'s event ${held.event.id} waited past the correlation window; dropped`,
          );
        }
      }
    }
    if (!state.condition(new Set([...entry.keys(), dependency]))) {
      entry.set(dependency, { event, at });
      return;
    }
    const used: Record<string, CloudEvent> = { [dependency]: event };
    for (const [dep, held] of entry) if (dep !== dependency) used[dep] = held.event;
    entry.clear();
    if (state.keys) state.held.delete(key);
    state.fired++;
    fired.push(fire(state.trigger, used, state.keys ? key : undefined));
  }

  function fire(
    trigger: Trigger,
    used: Record<string, CloudEvent>,
    key: string | undefined,
  ): FiringExplanation {
    const firing = createFiring(namespace, name, trigger.template.name, used);
    const base = {
      trigger: trigger.template.name,
      firingId: firing.id,
      events: Object.fromEntries(Object.entries(used).map(([dep, e]) => [dep, e.id])),
      ...(key === undefined ? {} : { key }),
    };
    try {
      return { ...base, preview: previewTrigger(trigger, firing, secrets) };
    } catch (err) {
      return { ...base, error: toImpulseError(err).message };
    }
  }
}

function explainDependency(
  dependency: CompiledDependency,
  operator: 'and' | 'or',
  event: CloudEvent,
): DependencyExplanation {
  const verdict = dependency.explain(event);
  return {
    name: dependency.name,
    operator,
    pass: verdict.pass,
    reason: verdict.reason,
    filters: verdict.checks,
  };
}
