import { parse as parseYaml } from 'yaml';
import { clone, isObject, type Json, type KubeObject, str } from './json.ts';
import { groupVersion, type ResourceType } from './resources.ts';
import { errors, type GroupResource } from './status.ts';

/** The object as served at this version: apiVersion and kind first, as the API server writes them. */
export function present(type: ResourceType, object: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = clone(object);
  return { apiVersion: groupVersion(type), kind: type.kind, ...rest } as KubeObject;
}

export const groupResource = (type: ResourceType): GroupResource => ({
  group: type.group,
  resource: type.plural,
});

/** The namespace a request addresses: none for cluster-scoped resources. */
export const scope = (type: ResourceType, namespace: string | undefined): string | undefined =>
  type.namespaced ? namespace : undefined;

export function parseBody(raw: string, format: 'json' | 'yaml'): Json {
  try {
    return (format === 'yaml' ? parseYaml(raw) : JSON.parse(raw)) as Json;
  } catch (err) {
    throw errors.badRequest(
      `error decoding ${format === 'yaml' ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    );
  }
}

/**
 * Checks a request body against the URL (kind, apiVersion, name, namespace) and answers a copy with
 * the URL's namespace filled in.
 */
export function checkBody(
  type: ResourceType,
  body: Json,
  namespace: string | undefined,
  name: string | undefined,
): KubeObject {
  if (!isObject(body)) throw errors.badRequest('Object in request body is not a JSON object');
  const next = clone(body);
  if (next.metadata === undefined || next.metadata === null) next.metadata = {};
  if (!isObject(next.metadata)) throw errors.badRequest('metadata must be an object');
  const obj = next as KubeObject;
  if (typeof obj.kind === 'string' && obj.kind !== '' && obj.kind !== type.kind) {
    throw errors.badRequest(
      `the kind in the data (${obj.kind}) does not match the expected kind (${type.kind})`,
    );
  }
  if (typeof obj.apiVersion === 'string' && obj.apiVersion !== '' && obj.apiVersion !== groupVersion(type)) {
    throw errors.badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${groupVersion(type)})`,
    );
  }
  if (name !== undefined && str(obj.metadata, 'name') !== name) {
    throw errors.badRequest(
      `the name of the object (${str(obj.metadata, 'name') ?? ''}) does not match the name on the URL (${name})`,
    );
  }
  if (type.namespaced) {
    const bodyNs = str(obj.metadata, 'namespace');
    if (bodyNs && bodyNs !== namespace) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (namespace !== undefined) obj.metadata.namespace = namespace;
  } else delete obj.metadata.namespace;
  return obj;
}

/** A name from `generateName`: the prefix and five random characters, as the API server makes them. */
export function generatedName(prefix: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = prefix;
  for (let i = 0; i < 5; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
