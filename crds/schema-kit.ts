import { type TProperties, type TSchema, Type } from '@sinclair/typebox';

/**
 * Building blocks for the API schemas. Every object is closed (`additionalProperties: false`), so an
 * unknown field is an error; embedded Kubernetes objects are the one open kind, marked the way a
 * structural CRD schema marks them.
 */

/** A closed object: fields not listed are rejected at validation. */
export function Obj<T extends TProperties>(properties: T, description?: string) {
  return Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
}

/** A map with string keys, like Go's `map[string]T`. */
export function StringMap<T extends TSchema>(value: T, description?: string) {
  return Type.Record(Type.String(), value, description ? { description } : {});
}

/**
 * An embedded Kubernetes object or a free-form document (pod template parts, trigger resources):
 * any object, kept whole in the CRD with `x-kubernetes-preserve-unknown-fields`.
 */
export function Embedded(description?: string) {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    ...(description ? { description } : {}),
  });
}

/** Any JSON value, kept whole (e.g. a literal parameter value). */
export function AnyValue(description?: string) {
  return Type.Unsafe<unknown>({
    'x-kubernetes-preserve-unknown-fields': true,
    ...(description ? { description } : {}),
  });
}

/** A string-or-integer field (Kubernetes' `int-or-string`, Argo's `Int64OrString`). */
export function IntOrString(description?: string) {
  return Type.Unsafe<string | number>({
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    ...(description ? { description } : {}),
  });
}

/** A string enumeration. */
export function Enum<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    ...(description ? { description } : {}),
  });
}

export const Opt = Type.Optional;
