import { type Static, Type } from '@sinclair/typebox';
import { Obj, Opt } from '../schema-kit.ts';

/** Argo's `EventSourceFilter`: an expression an event must satisfy before it is published to the bus. */
export const EventSourceFilter = Obj(
  {
    expression: Opt(
      Type.String({
        description: 'Boolean expression over the event payload, e.g. `body.action == "opened"`.',
      }),
    ),
  },
  'Drops events that do not satisfy the expression before they reach the EventBus.',
);
export type EventSourceFilter = Static<typeof EventSourceFilter>;
