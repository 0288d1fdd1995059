import type { Registry } from './registry.ts';
import type { ResourceType } from './resources.ts';
import { errors } from './status.ts';

/** Where a request path leads. */
export type Route =
  | { kind: 'health' }
  | { kind: 'version' }
  | { kind: 'audit' }
  | { kind: 'core-versions' }
  | { kind: 'group-list' }
  | { kind: 'group'; group: string }
  | { kind: 'resource-list'; groupVersion: string }
  | ResourceRoute;

export interface ResourceRoute {
  kind: 'resource';
  type: ResourceType;
  /** Set for namespaced requests under `/namespaces/<ns>/`; unset means all namespaces (or cluster scope). */
  namespace: string | undefined;
  name: string | undefined;
  subresource: 'status' | undefined;
  /** The deprecated `/watch/` path prefix. */
  watchPath: boolean;
}

/**
 * Parses a request path into a route: discovery documents, the emulator's own endpoints, or a
 * resource path in any of the API's shapes (`/api/v1/namespaces/ns/pods/name/status`,
 * `/apis/apps/v1/deployments`, `/api/v1/watch/...`).
 */
export function route(registry: Registry, pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const [first, second, third] = parts;
  if (parts.length === 1 && (first === 'healthz' || first === 'livez' || first === 'readyz'))
    return { kind: 'health' };
  if (parts.length === 1 && first === 'version') return { kind: 'version' };
  if (parts.length === 2 && first === 'emulator' && second === 'audit') return { kind: 'audit' };
  if (first === 'api') {
    if (parts.length === 1) return { kind: 'core-versions' };
    if (second !== 'v1') throw errors.noResource();
    if (parts.length === 2) return { kind: 'resource-list', groupVersion: 'v1' };
    return resourceRoute(registry, 'v1', parts.slice(2));
  }
  if (first === 'apis') {
    if (parts.length === 1) return { kind: 'group-list' };
    if (parts.length === 2) return { kind: 'group', group: second ?? '' };
    const gv = `${second}/${third}`;
    if (parts.length === 3) return { kind: 'resource-list', groupVersion: gv };
    return resourceRoute(registry, gv, parts.slice(3));
  }
  throw errors.noResource();
}

function resourceRoute(registry: Registry, gv: string, rest: string[]): ResourceRoute {
  let segments = rest;
  const watchPath = segments[0] === 'watch';
  if (watchPath) segments = segments.slice(1);
  let namespace: string | undefined;
  let type: ResourceType | undefined;
  let tail: string[];
  const nested =
    segments[0] === 'namespaces' && segments.length >= 3 ? registry.lookup(gv, segments[2] ?? '') : undefined;
  if (nested) {
    if (!nested.namespaced) throw errors.noResource();
    type = nested;
    namespace = segments[1];
    tail = segments.slice(3);
  } else {
    type = registry.lookup(gv, segments[0] ?? '');
    tail = segments.slice(1);
  }
  if (!type) throw errors.noResource();
  const [name, sub, ...extra] = tail;
  if (extra.length > 0) throw errors.noResource();
  if (sub !== undefined && (sub !== 'status' || !type.statusSubresource)) throw errors.noResource();
  return { kind: 'resource', type, namespace, name, subresource: sub, watchPath };
}
