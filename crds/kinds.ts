import type { TSchema } from '@sinclair/typebox';
import { BUS_TYPES, EventBus, UNSUPPORTED_BUS_TYPES } from './eventbus.ts';
import { EventSource, SOURCE_TYPES, UNSUPPORTED_SOURCE_TYPES } from './eventsource.ts';
import type { FieldPath } from './issues.ts';
import { eventBusSemantics } from './semantics/eventbus.ts';
import { eventSourceSemantics } from './semantics/eventsource.ts';
import { sensorSemantics } from './semantics/sensor.ts';
import { Sensor, TRIGGER_TYPES, UNSUPPORTED_TRIGGER_TYPES } from './sensor.ts';

export const API_GROUP = 'impulse.dev';
export const API_VERSION = 'impulse.dev/v1alpha1';
/** Argo Events' apiVersion, read as an alias of ours so existing manifests load unchanged. */
export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';
export const API_VERSIONS = [API_VERSION, ARGO_API_VERSION] as const;

/** A problem found by a check beyond the schema. */
export interface SemanticProblem {
  path: FieldPath;
  message: string;
  severity?: 'error' | 'warning';
}

/** What a kind needs for loading: its schema, its type slots and its semantic checks. */
export interface KindDefinition {
  kind: 'EventSource' | 'Sensor' | 'EventBus';
  schema: TSchema;
  /** Where the "one key per type" maps live in an object, and which keys are known but unsupported. */
  typeSlots(object: Record<string, unknown>): TypeSlot[];
  semantics(object: never): SemanticProblem[];
}

export interface TypeSlot {
  /** The object holding one key per type. */
  path: FieldPath;
  what: 'source' | 'trigger' | 'bus';
  supported: readonly string[];
  unsupported: readonly string[];
  /** Types that a later version of Impulse adds. */
  planned: readonly string[];
}

export const KINDS: Record<KindDefinition['kind'], KindDefinition> = {
  EventSource: {
    kind: 'EventSource',
    schema: EventSource,
    typeSlots: () => [
      {
        path: ['spec'],
        what: 'source',
        supported: SOURCE_TYPES,
        unsupported: UNSUPPORTED_SOURCE_TYPES,
        planned: [],
      },
    ],
    semantics: eventSourceSemantics as (o: never) => SemanticProblem[],
  },
  Sensor: {
    kind: 'Sensor',
    schema: Sensor,
    typeSlots: (object) => {
      const triggers = (object.spec as { triggers?: unknown } | undefined)?.triggers;
      if (!Array.isArray(triggers)) return [];
      const slot = (path: FieldPath): TypeSlot => ({
        path,
        what: 'trigger',
        supported: TRIGGER_TYPES,
        unsupported: UNSUPPORTED_TRIGGER_TYPES,
        planned: [],
      });
      return triggers.flatMap((trigger, i) => {
        const slots = [slot(['spec', 'triggers', i, 'template'])];
        if (trigger && typeof trigger === 'object' && 'dlqTrigger' in trigger) {
          slots.push(slot(['spec', 'triggers', i, 'dlqTrigger', 'template']));
        }
        return slots;
      });
    },
    semantics: sensorSemantics as (o: never) => SemanticProblem[],
  },
  EventBus: {
    kind: 'EventBus',
    schema: EventBus,
    typeSlots: () => [
      { path: ['spec'], what: 'bus', supported: BUS_TYPES, unsupported: UNSUPPORTED_BUS_TYPES, planned: [] },
    ],
    semantics: eventBusSemantics as (o: never) => SemanticProblem[],
  },
};
