import type { TSchema } from '@sinclair/typebox';
import { API_GROUP } from './kinds.ts';

/** A JSON Schema node as it appears in a CRD's openAPIV3Schema. */
export type SchemaNode = Record<string, unknown>;

interface CrdNames {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
}

interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
}

const READY_COLUMN: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Whether the object runs as specified.',
};
const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/**
 * Builds a CustomResourceDefinition (apiextensions.k8s.io/v1) from a kind's schema. The schema is
 * made structural: closed objects become open-and-pruned (the API server prunes unknown fields; the
 * Impulse loader rejects them), maps become `additionalProperties`, unions of types become
 * `x-kubernetes-preserve-unknown-fields`, and defaults move into descriptions so the server stores
 * objects as written.
 */
export function buildCrd(
  names: CrdNames,
  schema: TSchema,
  columns: PrinterColumn[] = [],
  opaque: ReadonlyArray<readonly string[]> = [],
): Record<string, unknown> {
  const root = toStructural(JSON.parse(JSON.stringify(schema)) as SchemaNode);
  for (const path of opaque) makeOpaque(root, path);
  const properties = (root.properties ?? {}) as Record<string, SchemaNode>;
  properties.metadata = { type: 'object' };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      names: {
        kind: names.kind,
        listKind: `${names.kind}List`,
        plural: names.plural,
        singular: names.singular,
        shortNames: names.shortNames,
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [...columns, AGE_COLUMN],
          schema: { openAPIV3Schema: { ...root, required: ['spec'] } },
        },
      ],
    },
  };
}

/**
 * Replaces the schema at `path` (property names; `[]` for array items) with an object kept whole, to
 * keep a CRD small where a part repeats a schema given elsewhere (a dead-letter trigger is a trigger).
 */
function makeOpaque(root: SchemaNode, path: readonly string[]): void {
  let parent: SchemaNode | undefined;
  let node: SchemaNode | undefined = root;
  let last = '';
  for (const segment of path) {
    parent = node;
    last = segment;
    node =
      segment === '[]'
        ? (node?.items as SchemaNode | undefined)
        : (node?.properties as Record<string, SchemaNode> | undefined)?.[segment];
  }
  if (!parent || !node || last === '[]') throw new Error(`CRD schema has no field at ${path.join('.')}`);
  const description = typeof node.description === 'string' ? `${node.description} ` : '';
  (parent.properties as Record<string, SchemaNode>)[last] = {
    description: `${description}Validated by Impulse when the object is loaded.`,
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

export function toStructural(node: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  const description = describe(node);

  if (node['x-kubernetes-int-or-string'] === true) {
    return withDescription(
      { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      description,
    );
  }
  const branches = (node.anyOf ?? node.oneOf) as SchemaNode[] | undefined;
  if (branches) {
    // A union of shapes cannot be structural: keep whatever the user wrote; the loader validates it.
    return withDescription({ 'x-kubernetes-preserve-unknown-fields': true }, description);
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === true) {
    const kept: SchemaNode = { 'x-kubernetes-preserve-unknown-fields': true };
    if (node.type) kept.type = node.type;
    return withDescription(kept, description);
  }

  if ('const' in node) {
    out.type = node.type ?? typeof node.const;
    out.enum = [node.const];
  } else if (node.type) {
    out.type = node.type;
  }
  for (const key of [
    'enum',
    'format',
    'minimum',
    'maximum',
    'minLength',
    'maxLength',
    'pattern',
    'minItems',
    'maxItems',
  ]) {
    if (key in node) out[key] = node[key];
  }
  if (node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, SchemaNode>).map(([k, v]) => [k, toStructural(v)]),
    );
    if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required;
  }
  const pattern = node.patternProperties as Record<string, SchemaNode> | undefined;
  const mapValue = pattern
    ? Object.values(pattern)[0]
    : typeof node.additionalProperties === 'object'
      ? (node.additionalProperties as SchemaNode)
      : undefined;
  if (mapValue && !node.properties) {
    out.type = 'object';
    out.additionalProperties = toStructural(mapValue);
  }
  if (node.items) out.items = toStructural(node.items as SchemaNode);
  if (out.type === undefined) out['x-kubernetes-preserve-unknown-fields'] = true;
  return withDescription(out, description);
}

function describe(node: SchemaNode): string | undefined {
  const text = typeof node.description === 'string' ? node.description : undefined;
  if (!('default' in node)) return text;
  const suffix = `Default: ${JSON.stringify(node.default)}.`;
  return text ? `${text} ${suffix}` : suffix;
}

function withDescription(node: SchemaNode, description: string | undefined): SchemaNode {
  return description ? { description, ...node } : node;
}

/**
 * The rules a structural schema must follow (Kubernetes: "Specifying a structural schema"), as a list
 * of violations with their JSON paths; empty when the schema is structural.
 */
export function structuralViolations(node: SchemaNode, path = '$', insideJunctor = false): string[] {
  const violations: string[] = [];
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (!insideJunctor && !node.type && !preserve && !intOrString) violations.push(`${path}: has no type`);
  if (node.additionalProperties === false)
    violations.push(`${path}: additionalProperties false is not allowed`);
  if (node.additionalProperties && node.properties)
    violations.push(`${path}: properties and additionalProperties together`);
  for (const forbidden of ['patternProperties', '$ref', 'const', 'dependencies', 'definitions', '$id']) {
    if (forbidden in node) violations.push(`${path}: ${forbidden} is not allowed`);
  }
  if (insideJunctor && !intOrString && (node.type || node.properties || node.description)) {
    if (
      !(
        path.includes('anyOf') &&
        (node.type === 'integer' || node.type === 'string') &&
        Object.keys(node).length === 1
      )
    ) {
      violations.push(`${path}: type, properties or description inside anyOf/oneOf/allOf`);
    }
  }
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, SchemaNode>)) {
    violations.push(...structuralViolations(child, `${path}.${key}`, false));
  }
  if (typeof node.additionalProperties === 'object') {
    violations.push(...structuralViolations(node.additionalProperties as SchemaNode, `${path}.*`, false));
  }
  if (node.items) violations.push(...structuralViolations(node.items as SchemaNode, `${path}[]`, false));
  for (const junctor of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = node[junctor] as SchemaNode[] | undefined;
    list?.forEach((branch, i) => {
      violations.push(...structuralViolations(branch, `${path}.${junctor}[${i}]`, true));
    });
    if (list && junctor !== 'anyOf') violations.push(`${path}: ${junctor} is not used by Impulse CRDs`);
  }
  return violations;
}

export const CRD_DEFINITIONS = {
  EventSource: {
    names: { kind: 'EventSource', plural: 'eventsources', singular: 'eventsource', shortNames: ['es'] },
    columns: [READY_COLUMN],
  },
  Sensor: {
    names: { kind: 'Sensor', plural: 'sensors', singular: 'sensor', shortNames: ['sn'] },
    columns: [READY_COLUMN],
    // A dead-letter trigger has a trigger's schema; spelling it out twice would double the CRD.
    opaque: [['spec', 'triggers', '[]', 'dlqTrigger']],
  },
  EventBus: {
    names: { kind: 'EventBus', plural: 'eventbus', singular: 'eventbus', shortNames: ['eb'] },
    columns: [READY_COLUMN],
  },
} as const;
