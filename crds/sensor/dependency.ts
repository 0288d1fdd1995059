import { type Static, Type } from '@sinclair/typebox';
import { Obj, Opt } from '../schema-kit.ts';
import { EventDependencyFilter, LogicalOperator } from './filters.ts';

/** Rewrites the event data before the filters see it. */
export const EventDependencyTransformer = Obj(
  {
    jq: Opt(Type.String({ description: 'jq program applied to the event data; must yield a JSON object.' })),
    script: Opt(
      Type.String({
        description: 'Lua script that receives the event data as `event` and returns the new data.',
      }),
    ),
  },
  'Transforms the event data before it is filtered.',
);
export type EventDependencyTransformer = Static<typeof EventDependencyTransformer>;

/** Selects the outcome events of another sensor's trigger (an Impulse field). */
export const OutcomeOf = Obj(
  {
    sensor: Type.String({
      minLength: 1,
      description: 'Name of the sensor whose trigger outcomes to select.',
    }),
    trigger: Type.String({ minLength: 1, description: "Name of that sensor's trigger." }),
  },
  'Selects the outcome events (impulse.trigger.fired, .failed, .deadlettered, impulse.sync.*) of a trigger.',
);
export type OutcomeOf = Static<typeof OutcomeOf>;

const dependencySchema = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Name the triggers use to refer to this dependency.' }),
    eventSourceName: Type.String({
      minLength: 1,
      description: 'Name of the EventSource object. Required unless outcomeOf is set.',
    }),
    eventName: Type.String({
      minLength: 1,
      description: 'Name of the event within that EventSource. Required unless outcomeOf is set.',
    }),
    outcomeOf: Opt(OutcomeOf),
    filters: Opt(EventDependencyFilter),
    transform: Opt(EventDependencyTransformer),
    filtersLogicalOperator: Opt(LogicalOperator),
    correlationKey: Opt(
      Type.String({
        minLength: 1,
        description:
          'Path (gjson, or JSONPath starting with $) to a value in the event data; the trigger then joins events per value of it (an Impulse field).',
      }),
    ),
  },
  'An event the sensor depends on.',
);
// An `outcomeOf` dependency names no EventSource: the two fields are required only without it. The
// CRD cannot say so (it leaves `if`/`else` out); the loader's validation does. The TypeScript type
// keeps them as strings: the runtime fills them in for outcome dependencies before anything reads them.
const schemaFields = dependencySchema as { required?: string[] };
schemaFields.required = (schemaFields.required ?? []).filter(
  (field) => field !== 'eventSourceName' && field !== 'eventName',
);
Object.assign(dependencySchema, {
  if: { properties: { outcomeOf: {} }, required: ['outcomeOf'] },
  else: { properties: { eventSourceName: {}, eventName: {} }, required: ['eventSourceName', 'eventName'] },
});

/** One event a sensor waits for. */
export const EventDependency = dependencySchema;
export type EventDependency = Static<typeof EventDependency>;
