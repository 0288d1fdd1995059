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

/** One event a sensor waits for. */
export const EventDependency = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Name the triggers use to refer to this dependency.' }),
    eventSourceName: Type.String({ minLength: 1, description: 'Name of the EventSource object.' }),
    eventName: Type.String({ minLength: 1, description: 'Name of the event within that EventSource.' }),
    filters: Opt(EventDependencyFilter),
    transform: Opt(EventDependencyTransformer),
    filtersLogicalOperator: Opt(LogicalOperator),
  },
  'An event the sensor depends on.',
);
export type EventDependency = Static<typeof EventDependency>;
