import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError } from '../../../core/errors.ts';
import type { KubeObject } from './kube-object.ts';
import { splitApiVersion } from './kube-object.ts';
import { KubeTransport } from './kube-transport.ts';

/** What discovery says about a kind: where it is served and whether it lives in a namespace. */
export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** `Strict` (the default, as kubectl validates) or `Ignore` (`Validate=false`). */
  fieldValidation?: 'Strict' | 'Ignore';
}

/**
 * A small REST client for untyped objects. client-node's KubernetesObjectApi serializes through its
 * typed models (dropping fields it does not know, turning times into Dates), which a diff cannot
 * afford, and opens a connection per request; this one sends and reads plain JSON over keep-alive
 * connections, with the kubeconfig's credentials.
 */
export class KubeClient {
  readonly #http: KubeTransport;
  readonly #discovery = new Map<string, Promise<Map<string, ApiResource> | undefined>>();

  constructor(kc: KubeConfig, options: { maxSockets?: number } = {}) {
    this.#http = new KubeTransport(kc, options.maxSockets ?? 32);
  }

  /** Discovery for `apiVersion` + `kind`; undefined when the server does not serve it (yet). */
  async resource(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const cached = await this.#groupVersion(apiVersion, false);
    const found = cached?.get(kind);
    if (found) return found;
    // A CRD applied a moment ago: ask again rather than trusting an old answer.
    return (await this.#groupVersion(apiVersion, true))?.get(kind);
  }

  /** Like `resource`, but a kind the server does not serve is a permanent error naming it. */
  async mustResource(apiVersion: string, kind: string): Promise<ApiResource> {
    const found = await this.resource(apiVersion, kind);
    if (!found) {
      throw new ImpulseError(
        'PERMANENT',
        `the server does not serve ${kind} in ${apiVersion}; check apiVersion and kind, or install its CRD first`,
      );
    }
    return found;
  }

  path(res: ApiResource, namespace: string | undefined, name?: string): string {
    const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
    const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${res.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  async get(res: ApiResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const answer = await this.#http.send(
      'GET',
      this.path(res, namespace, name),
      {},
      `get ${res.kind} ${name}`,
      [404],
    );
    return answer.status === 404 ? undefined : (answer.body as KubeObject);
  }

  /** Every object of a kind, in one namespace or (cluster-scoped, or namespace undefined) everywhere. */
  async list(res: ApiResource, namespace: string | undefined, labelSelector?: string): Promise<KubeObject[]> {
    const query: Record<string, string> = labelSelector ? { labelSelector } : {};
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const answer = await this.#http.send(
        'GET',
        this.path(res, namespace),
        { query: { ...query, limit: '500', ...(token ? { continue: token } : {}) } },
        `list ${res.kind}${namespace && res.namespaced ? ` in ${namespace}` : ''}`,
      );
      const body = answer.body as { items?: KubeObject[]; metadata?: { continue?: string } };
      const apiVersion = res.group ? `${res.group}/${res.version}` : res.version;
      for (const item of body.items ?? []) items.push({ ...item, apiVersion, kind: res.kind });
      token = body.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  /** Server-side apply as `fieldManager`, taking over conflicting fields (Git is the source of truth). */
  async apply(res: ApiResource, object: KubeObject, fieldManager: string, options: WriteOptions = {}) {
    const name = object.metadata.name ?? '';
    const query = { fieldManager, force: 'true', ...writeQuery(options) };
    return this.#write(
      'PATCH',
      this.path(res, object.metadata.namespace, name),
      query,
      object,
      'apply',
      res,
      name,
      'application/apply-patch+yaml',
    );
  }

  async create(res: ApiResource, object: KubeObject, fieldManager: string, options: WriteOptions = {}) {
    const query = { fieldManager, ...writeQuery(options) };
    return this.#write(
      'POST',
      this.path(res, object.metadata.namespace),
      query,
      object,
      'create',
      res,
      object.metadata.name ?? '',
    );
  }

  async replace(res: ApiResource, object: KubeObject, fieldManager: string, options: WriteOptions = {}) {
    const name = object.metadata.name ?? '';
    const query = { fieldManager, ...writeQuery(options) };
    return this.#write(
      'PUT',
      this.path(res, object.metadata.namespace, name),
      query,
      object,
      'replace',
      res,
      name,
    );
  }

  async mergePatch(
    res: ApiResource,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    fieldManager: string,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const query = { fieldManager, ...writeQuery(options) };
    return this.#write(
      'PATCH',
      this.path(res, namespace, name),
      query,
      patch,
      'patch',
      res,
      name,
      'application/merge-patch+json',
    );
  }

  /** Deletes (background propagation unless told otherwise); false when it was already gone. */
  async delete(
    res: ApiResource,
    namespace: string | undefined,
    name: string,
    options: { dryRun?: boolean; propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' } = {},
  ): Promise<boolean> {
    const { dryRun = false, propagationPolicy = 'Background' } = options;
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy };
    const answer = await this.#http.send(
      'DELETE',
      this.path(res, namespace, name),
      { query: dryRun ? { dryRun: 'All' } : {}, body, contentType: 'application/json' },
      `delete ${res.kind} ${namespace ? `${namespace}/` : ''}${name}`,
      [404],
    );
    return answer.status !== 404;
  }

  /** Any request on a path (`/api/v1/namespaces/x`), for the few calls outside the helpers above. */
  async raw(method: string, path: string, what: string, body?: unknown, allow: number[] = []) {
    return this.#http.send(
      method,
      path,
      body === undefined ? {} : { body, contentType: 'application/json' },
      what,
      allow,
    );
  }

  async close(): Promise<void> {
    this.#http.close();
  }

  async #write(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    verb: string,
    res: ApiResource,
    name: string,
    contentType = 'application/json',
  ): Promise<KubeObject> {
    const answer = await this.#http.send(
      method,
      path,
      { query, body, contentType },
      `${verb} ${res.kind} ${name}`,
    );
    return answer.body as KubeObject;
  }

  async #groupVersion(apiVersion: string, fresh: boolean): Promise<Map<string, ApiResource> | undefined> {
    let entry = this.#discovery.get(apiVersion);
    if (!entry || fresh) {
      entry = this.#discover(apiVersion);
      this.#discovery.set(apiVersion, entry);
      entry.catch(() => this.#discovery.delete(apiVersion));
    }
    return entry;
  }

  async #discover(apiVersion: string): Promise<Map<string, ApiResource> | undefined> {
    const { group, version } = splitApiVersion(apiVersion);
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const answer = await this.#http.send('GET', path, {}, `discover ${apiVersion}`, [404]);
    if (answer.status === 404) return undefined;
    const kinds = new Map<string, ApiResource>();
    const list = answer.body as { resources?: { name: string; kind: string; namespaced: boolean }[] };
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue; // subresources
      kinds.set(r.kind, { group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced });
    }
    return kinds;
  }
}

function writeQuery(options: WriteOptions): Record<string, string> {
  return {
    ...(options.dryRun ? { dryRun: 'All' } : {}),
    fieldValidation: options.fieldValidation ?? 'Strict',
  };
}

/** Whether an ImpulseError from this client is the API's 404 / 409 AlreadyExists / 409 Conflict. */
export function httpStatusOf(err: unknown): number | undefined {
  const status = (err as ImpulseError | undefined)?.details?.status;
  return typeof status === 'number' ? status : undefined;
}
