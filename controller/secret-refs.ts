import type { TSchema } from '@sinclair/typebox';
import type { SecretRef } from '../core/secrets.ts';
import { EventSource, SecretKeySelector, Sensor } from '../crds/index.ts';

type Schema = TSchema & Record<string, unknown>;

/** Whether a schema node is (an optional copy of) `SecretKeySelector`. */
function isSecretSelector(schema: Schema): boolean {
  return schema.type === 'object' && schema.description === SecretKeySelector.description;
}

function walk(schema: Schema, value: unknown, found: SecretRef[]): void {
  if (value === null || value === undefined) return;
  if (isSecretSelector(schema)) {
    const ref = value as Partial<SecretRef>;
    if (typeof ref.name === 'string' && typeof ref.key === 'string')
      found.push({ name: ref.name, key: ref.key, ...(ref.optional === true ? { optional: true } : {}) });
    return;
  }
  for (const branch of [...((schema.anyOf as Schema[]) ?? []), ...((schema.allOf as Schema[]) ?? [])])
    walk(branch, value, found);
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    if (items) for (const item of value) walk(items, item, found);
    return;
  }
  if (typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [key, child] of Object.entries(properties)) walk(child, record[key], found);
  const patterns = Object.values((schema.patternProperties ?? {}) as Record<string, Schema>);
  const additional =
    typeof schema.additionalProperties === 'object' ? [schema.additionalProperties as Schema] : [];
  for (const mapSchema of [...patterns, ...additional]) {
    for (const [key, child] of Object.entries(record))
      if (!(key in properties)) walk(mapSchema, child, found);
  }
}

const SCHEMAS: Record<'EventSource' | 'Sensor', Schema> = {
  EventSource: EventSource as Schema,
  Sensor: Sensor as Schema,
};

/**
 * Every Secret key an EventSource or Sensor refers to (Argo Events' `secretKeyRef` shape, wherever the
 * schema declares one), deduplicated, in first-seen order. Embedded Kubernetes objects (trigger
 * resources, pod templates) are not searched: a Secret named there is the cluster's business.
 */
export function secretReferences(kind: 'EventSource' | 'Sensor', object: unknown): SecretRef[] {
  const found: SecretRef[] = [];
  walk(SCHEMAS[kind], object, found);
  const byId = new Map<string, SecretRef>();
  for (const ref of found) {
    const id = `${ref.name}/${ref.key}`;
    const seen = byId.get(id);
    // One required reference makes the key required.
    if (!seen) byId.set(id, ref);
    else if (seen.optional && !ref.optional) byId.set(id, { name: ref.name, key: ref.key });
  }
  return [...byId.values()];
}
