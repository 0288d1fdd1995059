import * as k8s from '@kubernetes/client-node';
import { Ajv } from 'ajv';

/**
 * Schema checks for manifests, as an API server with `kubectl apply`'s strict field validation would
 * make them: kubernetes-models' OpenAPI validators for types and required fields of built-in kinds,
 * client-node's models for unknown fields, and CRD schemas for custom resources.
 */

type Model = { getAttributeTypeMap(): { name: string; baseName: string; type: string }[] };

/** kubernetes-models' class of a built-in kind, loaded by its module path. */
export async function builtinModel(apiVersion: string, kind: string) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const folder = group ? `${group}/${version}` : version;
  try {
    const module = (await import(/* @vite-ignore */ `kubernetes-models/${folder}/${kind}`)) as Record<
      string,
      new (
        data: unknown,
      ) => { validate(): void }
    >;
    return module[kind];
  } catch {
    return undefined;
  }
}

/** client-node's model name of a built-in kind: `V1Deployment`, `V1ClusterRole`. */
function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop() ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

const LEAVES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

/** Fields that the Kubernetes API does not know, by path (`spec.template.spec.containers[0].imagee`). */
export function unknownFields(object: Record<string, unknown>): string[] {
  const found: string[] = [];
  const root = (k8s as unknown as Record<string, Model | undefined>)[
    modelName(String(object.apiVersion), String(object.kind))
  ];
  if (!root) return [`no client-node model for ${object.apiVersion} ${object.kind}`];
  walk(root, object, '', found);
  return found;
}

function walk(model: Model, value: unknown, path: string, found: string[]): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  const attributes = model.getAttributeTypeMap();
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const attribute = attributes.find((a) => a.baseName === key);
    const here = path ? `${path}.${key}` : key;
    if (!attribute) found.push(here);
    else walkType(attribute.type, child, here, found);
  }
}

function walkType(type: string, value: unknown, path: string, found: string[]): void {
  if (LEAVES.has(type) || value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value))
      for (const [i, item] of value.entries()) walkType(array[1]!, item, `${path}[${i}]`, found);
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      walkType(map[1]!, item, `${path}.${key}`, found);
    return;
  }
  const model = (k8s as unknown as Record<string, Model | undefined>)[type];
  if (model?.getAttributeTypeMap) walk(model, value, path, found);
}

/** A CRD's schema made strict: objects without `x-kubernetes-preserve-unknown-fields` refuse unknown fields. */
function strict(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value && typeof value === 'object')
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>).map(([k, v]) => [k, strict(v)]),
      );
    else if ((key === 'items' || key === 'additionalProperties') && value && typeof value === 'object')
      out[key] = strict(value as Record<string, unknown>);
    else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf')
      out[key] = (value as Record<string, unknown>[]).map(strict);
    else out[key] = value;
  }
  if (out['x-kubernetes-int-or-string']) return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  if (
    out.type === 'object' &&
    out.properties &&
    !out['x-kubernetes-preserve-unknown-fields'] &&
    !out.additionalProperties
  )
    out.additionalProperties = false;
  return out;
}

/** Validators for the custom resources of the given CRDs, by `apiVersion kind`. */
export function crdValidators(crds: Record<string, unknown>[]) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, (object: unknown) => string[]>();
  for (const crd of crds) {
    const spec = crd.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; schema?: { openAPIV3Schema: Record<string, unknown> } }[];
    };
    for (const version of spec.versions) {
      if (!version.schema) continue;
      const validate = ajv.compile(strict(version.schema.openAPIV3Schema));
      validators.set(`${spec.group}/${version.name} ${spec.names.kind}`, (object) => {
        // metadata is the API server's to check (the schema says only "object").
        const { metadata: _metadata, ...rest } = object as Record<string, unknown>;
        return validate({ ...rest, metadata: {} })
          ? []
          : (validate.errors ?? []).map(
              (e) =>
                `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`,
            );
      });
    }
  }
  return validators;
}
