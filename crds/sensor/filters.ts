import { type Static, Type } from '@sinclair/typebox';
import { Enum, Obj, Opt } from '../schema-kit.ts';

/** How several filters of one kind (or several filter kinds) are combined. Unset means `and`. */
export const LOGICAL_OPERATORS = ['and', 'or'] as const;
export const LogicalOperator = Enum(LOGICAL_OPERATORS, 'How the results are combined: and (default) or or.');
export type LogicalOperator = Static<typeof LogicalOperator>;

/** Comparators a data filter can apply; strings support only `=` and `!=`. Unset means `=`. */
export const COMPARATORS = ['=', '!=', '>', '>=', '<', '<='] as const;
export const Comparator = Enum(
  COMPARATORS,
  'How the value found at path is compared: = (default), !=, >, >=, <, <=.',
);
export type Comparator = Static<typeof Comparator>;

/** The JSON type a data filter reads the value at its path as. */
export const JSON_TYPES = ['string', 'number', 'bool'] as const;
export const JSONType = Enum(JSON_TYPES, 'How the value found at path is read: string, number or bool.');
export type JSONType = Static<typeof JSONType>;

const clockTime = (description: string) =>
  Type.String({ pattern: '^([01]?[0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$', description });

/** Accepts an event only when its time of day lies in `[start, stop)`; a stop before start spans midnight. */
export const TimeFilter = Obj(
  {
    start: clockTime('Start of the window, hh:mm:ss (inclusive).'),
    stop: clockTime(
      'End of the window, hh:mm:ss (exclusive); earlier than start means the window spans midnight.',
    ),
    timezone: Opt(
      Type.String({ description: 'IANA time zone of start and stop, e.g. Europe/Berlin. Default UTC.' }),
    ),
  },
  'Accepts events whose time of day falls in a daily window.',
);
export type TimeFilter = Static<typeof TimeFilter>;

/**
 * CloudEvent attributes to match exactly. Argo Events compares only `type`, `subject`, `source` and
 * `datacontenttype`; the other attributes are declared so that its manifests load.
 */
export const EventContext = Obj(
  {
    id: Opt(Type.String({ description: 'Event id. Not compared by Argo Events.' })),
    source: Opt(Type.String({ description: 'Name of the EventSource the event came from.' })),
    specversion: Opt(Type.String({ description: 'CloudEvents spec version. Not compared by Argo Events.' })),
    type: Opt(Type.String({ description: 'Event source type, e.g. webhook.' })),
    datacontenttype: Opt(
      Type.String({ description: 'Media type of the event data, e.g. application/json.' }),
    ),
    subject: Opt(Type.String({ description: 'Event name within the EventSource.' })),
    time: Opt(Type.String({ description: 'Event time (RFC 3339). Not compared by Argo Events.' })),
  },
  'CloudEvent attributes the event must carry; only the attributes given are compared.',
);
export type EventContext = Static<typeof EventContext>;

/** A test of one value in the event data. */
export const DataFilter = Obj(
  {
    path: Type.String({ minLength: 1, description: 'gjson path into the event data, e.g. body.action.' }),
    type: JSONType,
    value: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description:
        'Accepted values; the filter passes when any one matches. Strings are regular expressions.',
    }),
    comparator: Opt(Comparator),
    template: Opt(
      Type.String({
        description: 'Go template applied to the value found at path (as .Input) before comparing.',
      }),
    ),
  },
  'Passes when the value at path matches one of the given values.',
);
export type DataFilter = Static<typeof DataFilter>;

/** A value of the event data bound to a name that an expression can use. */
export const PayloadField = Obj({
  path: Type.String({ minLength: 1, description: 'gjson path into the event data.' }),
  name: Type.String({ minLength: 1, description: 'Name the value goes by in the expression.' }),
});
export type PayloadField = Static<typeof PayloadField>;

/** A boolean expression over named values of the event data. */
export const ExprFilter = Obj(
  {
    expr: Type.String({ minLength: 1, description: 'Boolean expression, e.g. a == "b" && c > 10.' }),
    fields: Type.Array(PayloadField, {
      minItems: 1,
      description: 'Values of the event data the expression uses.',
    }),
  },
  'Passes when the expression evaluates to true.',
);
export type ExprFilter = Static<typeof ExprFilter>;

/** All filters of one dependency. Filter kinds are combined by the dependency's `filtersLogicalOperator`. */
export const EventDependencyFilter = Obj(
  {
    time: Opt(TimeFilter),
    context: Opt(EventContext),
    data: Opt(Type.Array(DataFilter, { description: 'Tests on values of the event data.' })),
    exprs: Opt(Type.Array(ExprFilter, { description: 'Expressions over values of the event data.' })),
    dataLogicalOperator: Opt(LogicalOperator),
    exprLogicalOperator: Opt(LogicalOperator),
    script: Opt(
      Type.String({
        description: 'Lua script that receives the event data as `event` and returns a boolean.',
      }),
    ),
  },
  'Conditions an event must meet to satisfy the dependency.',
);
export type EventDependencyFilter = Static<typeof EventDependencyFilter>;
