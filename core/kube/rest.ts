import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError, isImpulseError } from '../errors.ts';
import { KubeTransport, type TransportOptions, type TransportRequest } from './transport.ts';
import {
  type CallOptions,
  type DeleteOptions,
  defaultNamer,
  type KubeList,
  type KubeObject,
  type KubeVerb,
  type ListOptions,
  type ObjectRef,
  type PatchOptions,
  type PatchType,
  type RequestNamer,
  type RequestTarget,
  type ResourceInfo,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from './types.ts';
import { readEvents } from './watch.ts';

export interface KubeRestOptions extends TransportOptions {
  /** How errors name requests. @default `get apps/v1 Deployment demo/web` and the like */
  namer?: RequestNamer;
}

/**
 * The one Kubernetes REST client of Impulse, for untyped objects in plain JSON: discovery, reads,
 * every kind of write, and watches. client-node's `KubernetesObjectApi` serializes bodies through
 * its typed models (dropping fields it does not know, turning times into Dates), cannot send
 * JSON-patch arrays or apply bodies, and opens a connection per request; client-node here only
 * gives the kubeconfig's credentials. Every failure is an ImpulseError classified by `kubeError`
 * (TRANSIENT or PERMANENT, status and reason in `details`); an aborted request is `CLOSED`.
 */
export class KubeRest {
  readonly #http: KubeTransport;
  readonly #name: RequestNamer;
  readonly #discovery = new Map<string, Promise<ResourceInfo[] | undefined>>();
  #closing: Promise<void> | undefined;

  constructor(kc: KubeConfig, options: KubeRestOptions = {}) {
    this.#http = new KubeTransport(kc, options);
    this.#name = options.namer ?? defaultNamer;
  }

  /** The API server's URL, for messages. */
  get server(): string {
    return this.#http.server.href.replace(/\/$/, '');
  }

  /**
   * The kinds `apiVersion` serves (subresources left out), cached; undefined when the server does
   * not serve that group and version.
   */
  resources(
    apiVersion: string,
    options: CallOptions & { fresh?: boolean } = {},
  ): Promise<ResourceInfo[] | undefined> {
    let entry = this.#discovery.get(apiVersion);
    if (!entry || options.fresh) {
      entry = this.#discover(apiVersion, options.signal);
      this.#discovery.set(apiVersion, entry);
      entry.catch(() => this.#discovery.delete(apiVersion));
    }
    return entry;
  }

  /** The kind's plural and scope; asks again when the cache lacks it (a CRD installed since). */
  async find(apiVersion: string, kind: string, options: CallOptions = {}): Promise<ResourceInfo | undefined> {
    const cached = (await this.resources(apiVersion, options))?.find((r) => r.kind === kind);
    if (cached) return cached;
    return (await this.resources(apiVersion, { ...options, fresh: true }))?.find((r) => r.kind === kind);
  }

  /** Like `find`, but a kind the server does not serve is a PERMANENT error that says what to do. */
  async resource(apiVersion: string, kind: string, options: CallOptions = {}): Promise<ResourceInfo> {
    const found = await this.find(apiVersion, kind, options);
    if (found) return found;
    if (!(await this.resources(apiVersion, options))) {
      throw new ImpulseError(
        'PERMANENT',
        `the API server does not serve ${apiVersion}; check apiVersion, or install the CustomResourceDefinition of that group`,
        { details: { apiVersion } },
      );
    }
    throw new ImpulseError(
      'PERMANENT',
      `the API server has no kind ${kind} in ${apiVersion}; check apiVersion and kind, or install the CustomResourceDefinition that defines it`,
      { details: { apiVersion, kind } },
    );
  }

  async #discover(apiVersion: string, signal?: AbortSignal): Promise<ResourceInfo[] | undefined> {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    const path = group ? `apis/${apiVersion}` : `api/${apiVersion}`;
    const what = `discover ${apiVersion}`;
    const answer = await this.#http.send({ method: 'GET', path, allow: [404], signal }, what);
    if (answer.status === 404) return undefined;
    const list = parse(answer, what) as {
      resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
    };
    return (list.resources ?? [])
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({
        apiVersion,
        group: group!,
        version: version!,
        kind: r.kind,
        plural: r.name,
        namespaced: r.namespaced,
      }));
  }

  /** The URL path of a collection (no name) or of one object; no namespace means all namespaces. */
  path(resource: ResourceInfo, namespace: string | undefined, name?: string): string {
    const parts = [resource.group ? 'apis' : 'api', ...resource.apiVersion.split('/')];
    if (resource.namespaced && namespace) parts.push('namespaces', encodeURIComponent(namespace));
    parts.push(resource.plural);
    if (name !== undefined) parts.push(encodeURIComponent(name));
    return `/${parts.join('/')}`;
  }

  /** Reads one object; undefined when it does not exist. */
  async get<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    options: CallOptions = {},
  ): Promise<T | undefined> {
    const answer = await this.#call('get', ref, { method: 'GET', allow: [404], signal: options.signal });
    return answer === undefined ? undefined : (answer as T);
  }

  /** Every page of a listing; a continue token that expires mid-way starts it again (twice at most). */
  async list<T extends KubeObject = KubeObject>(
    resource: ResourceInfo,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<KubeList<T>> {
    const target = { resource, namespace };
    const what = this.#name('list', target);
    const path = this.path(resource, namespace);
    for (let attempt = 0; ; attempt++) {
      const items: T[] = [];
      let resourceVersion = '';
      let token = '';
      try {
        do {
          const query = {
            labelSelector: options.labelSelector ?? '',
            fieldSelector: options.fieldSelector ?? '',
            limit: String(options.pageSize ?? 500),
            ...(token ? { continue: token } : { resourceVersion: options.resourceVersion ?? '' }),
          };
          const answer = await this.#http.send({ method: 'GET', path, query, signal: options.signal }, what);
          const page = parse(answer, what) as {
            items?: T[];
            metadata?: { resourceVersion?: string; continue?: string };
          };
          resourceVersion ||= page.metadata?.resourceVersion ?? '';
          for (const item of page.items ?? [])
            items.push({ ...item, apiVersion: resource.apiVersion, kind: resource.kind });
          token = page.metadata?.continue ?? '';
        } while (token !== '');
        return { items, resourceVersion };
      } catch (err) {
        if (token === '' || attempt >= 2 || !(isImpulseError(err) && err.details?.status === 410)) throw err;
      }
    }
  }

  async create<T extends KubeObject = KubeObject>(
    resource: ResourceInfo,
    namespace: string | undefined,
    object: KubeObject,
    options: WriteOptions = {},
  ): Promise<T> {
    const name = object.metadata.name ?? `${object.metadata.generateName ?? ''}*`;
    const target = { resource, namespace, name };
    return this.#call(
      'create',
      target,
      { method: 'POST', body: object, ...writeQuery(options) },
      true,
    ) as Promise<T>;
  }

  async replace<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    object: KubeObject,
    options: WriteOptions = {},
  ) {
    return this.#call('replace', ref, { method: 'PUT', body: object, ...writeQuery(options) }) as Promise<T>;
  }

  /** A patch of `type`: a merge or strategic merge body, a JSON-patch array, or an apply body. */
  async patch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    type: PatchType,
    body: unknown,
    options: PatchOptions = {},
  ) {
    const { query, signal } = writeQuery(options);
    if (options.force) query.force = 'true';
    const target = { ...ref, patchType: type };
    return this.#call('patch', target, {
      method: 'PATCH',
      body,
      contentType: type,
      query,
      signal,
    }) as Promise<T>;
  }

  /** Server-side apply as `fieldManager`; `force` takes over fields other managers own. */
  async apply<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    object: KubeObject,
    options: PatchOptions & { fieldManager: string },
  ): Promise<T> {
    return this.patch<T>(ref, 'application/apply-patch+yaml', object, options);
  }

  /** Deletes one object; false when it was already gone. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const { dryRun, propagationPolicy, signal } = options;
    const request: Omit<TransportRequest, 'path'> = { method: 'DELETE', allow: [404], signal };
    if (dryRun) request.query = { dryRun: 'All' };
    if (propagationPolicy) request.body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy };
    return (await this.#call('delete', ref, request)) !== undefined;
  }

  /**
   * Watches a collection and yields its events as they arrive (the stream pauses while the caller
   * is busy with one). Ends when the server closes the stream or `signal` aborts; rejects with a
   * classified error when the server refuses the watch (410 Gone included, `details.status`) or the
   * connection breaks. ERROR events are yielded, for the caller to judge.
   */
  async *watch(
    resource: ResourceInfo,
    namespace: string | undefined,
    options: WatchOptions = {},
  ): AsyncGenerator<WatchEvent> {
    const { signal } = options;
    const what = this.#name('watch', { resource, namespace });
    const query: Record<string, string> = {
      watch: 'true',
      resourceVersion: options.resourceVersion ?? '',
      labelSelector: options.labelSelector ?? '',
      fieldSelector: options.fieldSelector ?? '',
      allowWatchBookmarks: options.allowWatchBookmarks ? 'true' : '',
      timeoutSeconds: options.timeoutSeconds === undefined ? '' : String(options.timeoutSeconds),
    };
    const res = await this.#http.open(
      { method: 'GET', path: this.path(resource, namespace), query, signal },
      what,
    );
    yield* readEvents(res, what, signal);
  }

  /** Ends the kept-alive connections; idempotent. */
  close(): Promise<void> {
    this.#closing ??= Promise.resolve().then(() => this.#http.close());
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** One request on an object or collection; 404 answers undefined where `allow` has it. */
  async #call(
    verb: KubeVerb,
    target: RequestTarget,
    request: Omit<TransportRequest, 'path'>,
    collection = false,
  ): Promise<KubeObject | undefined> {
    const what = this.#name(verb, target);
    const path = this.path(target.resource, target.namespace, collection ? undefined : target.name);
    const answer = await this.#http.send({ ...request, path }, what);
    if (answer.status === 404) return undefined;
    return parse(answer, what) as KubeObject;
  }
}

function writeQuery(options: WriteOptions): { query: Record<string, string>; signal?: AbortSignal } {
  const query: Record<string, string> = {};
  if (options.dryRun) query.dryRun = 'All';
  if (options.fieldManager) query.fieldManager = options.fieldManager;
  if (options.fieldValidation) query.fieldValidation = options.fieldValidation;
  return { query, signal: options.signal };
}

function parse(answer: { status: number; text: string }, what: string): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw new ImpulseError(
      'TRANSIENT',
      `${what}: the API server answered ${answer.status} with a body that is not JSON`,
    );
  }
}
