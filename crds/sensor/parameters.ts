import { type Static, Type } from '@sinclair/typebox';
import { Enum, Obj, Opt } from '../schema-kit.ts';

/** How a resolved parameter value is combined with the value already at `dest`. Unset means overwrite. */
export const PARAMETER_OPERATIONS = ['append', 'overwrite', 'prepend'] as const;
export const TriggerParameterOperation = Enum(
  PARAMETER_OPERATIONS,
  'How the value is combined with the one already at dest: overwrite (default), append or prepend.',
);
export type TriggerParameterOperation = Static<typeof TriggerParameterOperation>;

/**
 * Where a parameter value comes from. A template is tried first, then the key, then `value`; with
 * neither a key nor a template the whole event (or context) is used.
 */
export const TriggerParameterSource = Obj(
  {
    dependencyName: Type.String({ minLength: 1, description: 'Dependency whose event supplies the value.' }),
    contextKey: Opt(Type.String({ description: 'Name of a CloudEvent attribute, e.g. type.' })),
    contextTemplate: Opt(Type.String({ description: 'Go template over the event context (as .Input).' })),
    dataKey: Opt(Type.String({ description: 'gjson path into the event data.' })),
    dataTemplate: Opt(Type.String({ description: 'Go template over the event data (as .Input).' })),
    value: Opt(
      Type.String({ description: 'Literal value, used when neither the template nor the key resolves.' }),
    ),
    useRawData: Opt(
      Type.Boolean({
        description: 'Keep the JSON type of the value found at dataKey instead of converting it to a string.',
      }),
    ),
  },
  'Where the parameter value is taken from.',
);
export type TriggerParameterSource = Static<typeof TriggerParameterSource>;

/** A value taken from an event and written into the trigger (or its resource) at `dest`. */
export const TriggerParameter = Obj(
  {
    src: TriggerParameterSource,
    dest: Type.String({
      minLength: 1,
      description:
        'sjson path of the field to set, e.g. spec.arguments.parameters.0.value; -1 appends to an array.',
    }),
    operation: Opt(TriggerParameterOperation),
  },
  'Copies a value from an event into the trigger.',
);
export type TriggerParameter = Static<typeof TriggerParameter>;

/**
 * An entry of an HTTP request body. Unlike other parameters, `dest` may be left out or empty: the value
 * then becomes the whole body.
 */
export const HTTPPayloadParameter = Obj(
  {
    src: TriggerParameterSource,
    dest: Opt(
      Type.String({
        description: 'sjson path in the request body; empty or unset makes the value the whole body.',
      }),
    ),
    operation: Opt(TriggerParameterOperation),
  },
  'Copies a value from an event into the HTTP request body.',
);
export type HTTPPayloadParameter = Static<typeof HTTPPayloadParameter>;
