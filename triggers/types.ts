import type { Logger } from '../core/logger.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type { Sensor, Trigger } from '../crds/index.ts';
import type { CloudEvent } from '../eventbus/index.ts';

/** One execution of a trigger: the events that satisfied its condition. */
export interface Firing {
  /** Deterministic: derived from the sensor, the trigger and the ids of the events. */
  id: string;
  namespace: string;
  sensor: string;
  trigger: string;
  /** The events by dependency name. */
  events: Record<string, CloudEvent>;
}

export interface TriggerContext {
  signal: AbortSignal;
  logger: Logger;
  secrets: SecretResolver;
  /** Keeps the messages behind this firing from being redelivered while work goes on. */
  working(): void;
  /** Publishes an outcome event for this firing. */
  emit(type: string, data: unknown): Promise<void>;
}

export type TriggerOutcome =
  | { status: 'succeeded'; detail?: Record<string, unknown> }
  /** A later firing covers this one (e.g. a newer revision to sync). */
  | { status: 'superseded'; by: string };

/** Executes one trigger type. Throws `PERMANENT` to skip retries, anything else is retried. */
export interface TriggerDriver<Spec = unknown> {
  execute(spec: Spec, firing: Firing, ctx: TriggerContext): Promise<TriggerOutcome>;
  /** Releases connections; safe to call twice. */
  close?(): Promise<void>;
}

export interface TriggerInit {
  sensor: Sensor;
  trigger: Trigger;
  secrets: SecretResolver;
  logger: Logger;
}

/** Builds a trigger type's driver at sensor start; throws there if the spec cannot work. */
export type TriggerFactory = (init: TriggerInit) => TriggerDriver;
