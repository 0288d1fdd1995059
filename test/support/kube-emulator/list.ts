import { isObject, type JsonObject, type KubeObject, str } from './json.ts';
import { present, scope } from './objects.ts';
import { groupVersion, type ResourceType, storageKey } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { errors } from './status.ts';
import type { Store } from './store.ts';

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
}

/**
 * A list response: the selected objects in namespace/name order, the store's current
 * resourceVersion, and `continue` / `remainingItemCount` when `limit` cut it short. Pages are not a
 * consistent snapshot (a real API server's are); the continue token only remembers where to go on.
 */
export function listObjects(
  store: Store,
  type: ResourceType,
  namespace: string | undefined,
  query: ListQuery,
): JsonObject {
  const labels = parseLabelSelector(query.labelSelector);
  const fields = parseFieldSelector(query.fieldSelector, type);
  const resourceVersion = String(store.resourceVersion);
  let items = store.list(storageKey(type), scope(type, namespace)).filter((o) => labels(o) && fields(o));
  if (query.continue) {
    const start = decodeContinue(query.continue);
    items = items.filter((o) => sortKey(o) > start);
  }
  const metadata: JsonObject = { resourceVersion };
  const limit = query.limit ?? 0;
  if (limit > 0 && items.length > limit) {
    const rest = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1];
    if (last) metadata.continue = Buffer.from(JSON.stringify({ start: sortKey(last) })).toString('base64url');
    metadata.remainingItemCount = rest;
  }
  // Lists of built-in kinds carry items without apiVersion and kind, as a real API server sends them.
  const shown = items.map((o) => {
    const out = present(type, o);
    if (!type.custom) {
      delete out.apiVersion;
      delete out.kind;
    }
    return out;
  });
  return { apiVersion: groupVersion(type), kind: type.listKind, metadata, items: shown };
}

function sortKey(o: KubeObject): string {
  return `${str(o.metadata, 'namespace') ?? ''}\u0000${str(o.metadata, 'name') ?? ''}`;
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (isObject(parsed) && typeof parsed.start === 'string') return parsed.start;
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest('continue key is not valid: invalid continue token');
}
