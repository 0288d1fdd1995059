import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { clone, isObject, type Json, type JsonObject } from './json.ts';
import type { StatusCause } from './status.ts';

/**
 * What the API server does with a custom resource's structural schema: prune fields the schema does
 * not declare (reporting them, for `fieldValidation`), fill in `default`s, and validate values.
 */

/** Removes undeclared fields in place and returns their paths (`spec.foo`). */
export function prune(schema: JsonObject, object: JsonObject): string[] {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    const props = isObject(schema.properties) ? schema.properties : {};
    const child = props[key];
    if (isObject(child)) pruneValue(child, value, key, unknown);
    else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      unknown.push(key);
      delete object[key];
    }
  }
  return unknown;
}

function pruneValue(schema: JsonObject, value: Json, path: string, unknown: string[]): void {
  if (Array.isArray(value)) {
    if (isObject(schema.items))
      for (const [i, item] of value.entries())
        pruneValue(schema.items as JsonObject, item, `${path}[${i}]`, unknown);
    return;
  }
  if (!isObject(value)) return;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const props = isObject(schema.properties) ? schema.properties : undefined;
  const additional = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  for (const [key, child] of Object.entries(value)) {
    if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const childSchema = props?.[key];
    if (isObject(childSchema)) pruneValue(childSchema, child, `${path}.${key}`, unknown);
    else if (additional) pruneValue(additional, child, `${path}.${key}`, unknown);
    else if (!preserve && schema.additionalProperties !== true) {
      unknown.push(`${path}.${key}`);
      delete value[key];
    }
  }
}

/** Sets declared `default`s for absent fields of objects that are present. */
export function applyDefaults(schema: JsonObject, value: Json): void {
  if (Array.isArray(value)) {
    if (isObject(schema.items)) for (const item of value) applyDefaults(schema.items, item);
    return;
  }
  if (!isObject(value)) return;
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const [key, child] of Object.entries(props)) {
    if (!isObject(child)) continue;
    if (value[key] === undefined && child.default !== undefined) value[key] = clone(child.default);
    const present = value[key];
    if (present !== undefined) applyDefaults(child, present);
  }
  if (isObject(schema.additionalProperties)) {
    for (const [key, child] of Object.entries(value))
      if (!Object.hasOwn(props, key)) applyDefaults(schema.additionalProperties, child);
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, allowUnionTypes: true });
const compiled = new WeakMap<JsonObject, ValidateFunction>();

/** Validates a whole custom resource against its version's schema, answering API-server-style causes. */
export function validateAgainstSchema(schema: JsonObject, object: JsonObject): StatusCause[] {
  let validate = compiled.get(schema);
  if (!validate) {
    const root = toJsonSchema(schema) as JsonObject;
    if (isObject(root.properties)) delete root.properties.metadata;
    validate = ajv.compile(root);
    compiled.set(schema, validate);
  }
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => toCause(e, object));
}

/** OpenAPI v3 `nullable` becomes a JSON Schema type union; metadata is the server's to check. */
function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'default' || key === 'example') out[key] = value;
    else if (key === 'properties' && isObject(value)) {
      const props: JsonObject = {};
      for (const [name, child] of Object.entries(value)) props[name] = toJsonSchema(child);
      out.properties = props;
    } else out[key] = toJsonSchema(value);
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  if (schema['x-kubernetes-int-or-string'] === true && out.type === undefined)
    out.type = ['integer', 'string'];
  return out;
}

function toCause(e: ErrorObject, object: JsonObject): StatusCause {
  const segments = e.instancePath.split('/').slice(1);
  let field = segments
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s.replaceAll('~1', '/').replaceAll('~0', '~')}`))
    .join('');
  field = field.startsWith('.') ? field.slice(1) : field;
  let value: unknown = object;
  for (const s of segments) value = (value as JsonObject | undefined)?.[s];
  const shown = JSON.stringify(value);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return {
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: field ? `${field}.${missing}` : missing,
      };
    }
    case 'type': {
      const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
      return {
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: "${actual}": ${field} in body must be of type ${String(params.type)}: "${actual}"`,
        field,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${shown}: supported values: ${allowed}`,
        field,
      };
    }
    default:
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${shown}: ${field} in body ${e.message ?? 'is invalid'}`,
        field,
      };
  }
}
