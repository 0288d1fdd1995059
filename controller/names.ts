import { createHash } from 'node:crypto';

export { stableJson } from '../core/stable-json.ts';

/** The labels and annotations the controller puts on what it creates. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  /** The kind of the owning object, lower-cased: `eventsource`, `sensor`, `eventbus`. */
  kind: 'impulse.dev/kind',
  /** The owning object's name. */
  name: 'impulse.dev/name',
} as const;

export const ANNOTATIONS = {
  /** Hash of everything a workload's pods are built from; a change rolls the pods. */
  specHash: 'impulse.dev/spec-hash',
} as const;

/** The value of `app.kubernetes.io/managed-by` on every object the controller creates. */
export const MANAGER = 'impulse-controller';

/** The selector labels of one object's workload; stable for the object's life (selectors are immutable). */
export function selectorLabels(kind: string, name: string): Record<string, string> {
  return { [LABELS.kind]: kind.toLowerCase(), [LABELS.name]: labelValue(name) };
}

/** Every label the controller sets on what it creates for `kind`/`name`. */
export function childLabels(kind: string, name: string): Record<string, string> {
  return {
    ...selectorLabels(kind, name),
    [LABELS.managedBy]: MANAGER,
    [LABELS.partOf]: 'impulse',
    [LABELS.component]: kind.toLowerCase(),
  };
}

/**
 * `<name>-<suffix>`, kept within `max` characters (63 for Services and label values, the DNS label
 * limit): a name too long is cut and ends with a hash of the whole, so two long names never collide.
 */
export function childName(name: string, suffix: string, max = 63): string {
  const full = `${name}-${suffix}`;
  if (full.length <= max) return full;
  const hash = shortHash(full, 8);
  return `${full.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** A label value (at most 63 characters), cut with a hash when longer. */
export function labelValue(value: string): string {
  if (value.length <= 63) return value;
  const hash = shortHash(value, 8);
  return `${value.slice(0, 54).replace(/[-_.]+$/, '')}-${hash}`;
}

/** Hex SHA-256 of `text`, cut to `length` characters. */
export function shortHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
