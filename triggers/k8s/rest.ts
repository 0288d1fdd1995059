import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError } from '../../core/errors.ts';
import { kubeError } from '../../core/kube.ts';

/** A Kubernetes object as JSON: what manifests hold and what the API answers. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

export interface KubeMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  [field: string]: unknown;
}

/** What discovery says about a kind: its URL segment and whether it lives in a namespace. */
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

/** Names one object: its resource and, for namespaced kinds, its namespace. */
export interface ObjectRef {
  resource: ResourceInfo;
  namespace: string | undefined;
  name: string;
}

interface RawAnswer {
  status: number;
  text: string;
}

/** The largest answer read from the API server (a List of big objects stays well under it). */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * A small Kubernetes REST client that sends and receives plain JSON. client-node gives the
 * connection and credentials (`applyToHTTPSOptions`: CA, client certificates, bearer or exec
 * tokens); the requests are our own because `KubernetesObjectApi` serializes bodies through its typed
 * models, which drops fields it does not know and cannot send JSON-patch arrays or apply bodies.
 * Every failure is an ImpulseError classified by `kubeError` (TRANSIENT or PERMANENT).
 */
export class KubeRest {
  private readonly discovery = new Map<string, Promise<ResourceInfo[]>>();
  private readonly server: URL;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ImpulseError('INVALID_INPUT', 'the kubeconfig has no current cluster');
    this.server = new URL(cluster.server.endsWith('/') ? cluster.server : `${cluster.server}/`);
  }

  /** The kind's plural and scope, from discovery (cached; asked again when a kind is missing). */
  async resource(apiVersion: string, kind: string, signal?: AbortSignal): Promise<ResourceInfo> {
    let cached = this.discovery.get(apiVersion);
    let found = (await cached?.catch(() => undefined))?.find((r) => r.kind === kind);
    if (found) return found;
    // A CRD may have been installed since the last look.
    cached = this.discover(apiVersion, signal);
    this.discovery.set(apiVersion, cached);
    cached.catch(() => this.discovery.delete(apiVersion));
    found = (await cached).find((r) => r.kind === kind);
    if (!found) {
      throw new ImpulseError(
        'PERMANENT',
        `the API server has no kind ${kind} in ${apiVersion}; check apiVersion and kind, or install the CustomResourceDefinition that defines it`,
        { details: { apiVersion, kind } },
      );
    }
    return found;
  }

  private async discover(apiVersion: string, signal?: AbortSignal): Promise<ResourceInfo[]> {
    const path = apiVersion.includes('/') ? `apis/${apiVersion}` : `api/${apiVersion}`;
    const answer = await this.send('GET', path, undefined, {}, signal).catch((err: unknown) => {
      throw kubeError(err, `discover ${apiVersion}`);
    });
    if (answer.status === 404) {
      throw new ImpulseError(
        'PERMANENT',
        `the API server does not serve ${apiVersion}; check apiVersion, or install the CustomResourceDefinition of that group`,
        { details: { apiVersion } },
      );
    }
    const list = this.parse(answer, `discover ${apiVersion}`) as {
      resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
    };
    return (list.resources ?? [])
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({ apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced }));
  }

  /** The URL path of a collection (no name) or of one object. */
  path(resource: ResourceInfo, namespace: string | undefined, name?: string): string {
    const { apiVersion } = resource;
    const parts = [apiVersion.includes('/') ? 'apis' : 'api', ...apiVersion.split('/')];
    if (resource.namespaced) parts.push('namespaces', encodeURIComponent(namespace ?? 'default'));
    parts.push(resource.plural);
    if (name !== undefined) parts.push(encodeURIComponent(name));
    return parts.join('/');
  }

  /** Reads one object; undefined when it does not exist. */
  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const what = `get ${describe(ref)}`;
    const answer = await this.call('GET', this.path(ref.resource, ref.namespace, ref.name), what, {
      signal,
    });
    if (answer.status === 404) return undefined;
    return this.json(answer, what);
  }

  async list(
    resource: ResourceInfo,
    namespace: string | undefined,
    labelSelector: string,
    signal?: AbortSignal,
  ): Promise<KubeObject[]> {
    const what = `list ${resource.apiVersion} ${resource.kind} in ${namespace ?? 'all namespaces'}`;
    const answer = await this.call('GET', this.path(resource, namespace), what, {
      query: { labelSelector },
      signal,
    });
    const list = this.json(answer, what) as unknown as { items?: KubeObject[] };
    return (list.items ?? []).map((item) => ({
      ...item,
      apiVersion: resource.apiVersion,
      kind: resource.kind,
    }));
  }

  async create(
    resource: ResourceInfo,
    namespace: string | undefined,
    object: KubeObject,
    signal?: AbortSignal,
  ): Promise<KubeObject> {
    const what = `create ${resource.apiVersion} ${resource.kind} ${objectName(object, namespace)}`;
    const answer = await this.call('POST', this.path(resource, namespace), what, {
      body: JSON.stringify(object),
      signal,
    });
    return this.json(answer, what);
  }

  async replace(ref: ObjectRef, object: KubeObject, signal?: AbortSignal): Promise<KubeObject> {
    const what = `update ${describe(ref)}`;
    const answer = await this.call('PUT', this.path(ref.resource, ref.namespace, ref.name), what, {
      body: JSON.stringify(object),
      signal,
    });
    return this.json(answer, what);
  }

  /** Sends a patch of `contentType`; `query` carries `fieldManager` and `force` for server-side apply. */
  async patch(
    ref: ObjectRef,
    contentType: string,
    body: string,
    query: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<KubeObject> {
    const what = `patch (${contentType}) ${describe(ref)}`;
    const answer = await this.call('PATCH', this.path(ref.resource, ref.namespace, ref.name), what, {
      body,
      contentType,
      query,
      signal,
    });
    return this.json(answer, what);
  }

  /** Deletes one object; false when it was already gone. */
  async delete(ref: ObjectRef, signal?: AbortSignal): Promise<boolean> {
    const what = `delete ${describe(ref)}`;
    const answer = await this.call('DELETE', this.path(ref.resource, ref.namespace, ref.name), what, {
      signal,
    });
    if (answer.status === 404) return false;
    this.json(answer, what);
    return true;
  }

  /** Sends a request; a 404 comes back as an answer, other failures throw a classified error. */
  private async call(
    method: string,
    path: string,
    what: string,
    options: { body?: string; contentType?: string; query?: Record<string, string>; signal?: AbortSignal },
  ): Promise<RawAnswer> {
    let answer: RawAnswer;
    try {
      answer = await this.send(method, path, options.body, options, options.signal);
    } catch (err) {
      throw kubeError(err, what);
    }
    if (answer.status === 404 || (answer.status >= 200 && answer.status < 300)) return answer;
    const error = kubeError(
      { code: answer.status, body: answer.text, message: `HTTP ${answer.status}` },
      what,
    );
    const causes = statusCauses(answer.text);
    if (causes.length === 0) throw error;
    throw new ImpulseError(error.code, error.message, {
      cause: error.cause,
      details: { ...error.details, causes },
    });
  }

  private json(answer: RawAnswer, what: string): KubeObject {
    if (answer.status === 404) throw kubeError({ code: 404, body: answer.text }, what);
    return this.parse(answer, what) as KubeObject;
  }

  private parse(answer: RawAnswer, what: string): unknown {
    try {
      return JSON.parse(answer.text) as unknown;
    } catch {
      throw new ImpulseError(
        'TRANSIENT',
        `${what}: the API server answered ${answer.status} with a body that is not JSON`,
      );
    }
  }

  private async send(
    method: string,
    path: string,
    body: string | undefined,
    options: { contentType?: string; query?: Record<string, string> },
    signal?: AbortSignal,
  ): Promise<RawAnswer> {
    const url = new URL(path, this.server);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const opts: RequestOptions = { method, headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string | number> = {
      ...(opts.headers as Record<string, string>),
      Accept: 'application/json',
    };
    if (body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<RawAnswer>((resolve, reject) => {
      const req = send(url, { ...opts, method, headers, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            res.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error('no answer from the API server within 30 s')));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** One entry of a Status answer's `details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

function statusCauses(text: string): StatusCause[] {
  try {
    const status = JSON.parse(text) as { details?: { causes?: unknown } };
    const causes = status?.details?.causes;
    return Array.isArray(causes) ? (causes as StatusCause[]) : [];
  } catch {
    return [];
  }
}

/** `apps/v1 Deployment demo/web`, as error messages name an object. */
export function describe(ref: ObjectRef): string {
  const where = ref.resource.namespaced ? `${ref.namespace ?? 'default'}/${ref.name}` : ref.name;
  return `${ref.resource.apiVersion} ${ref.resource.kind} ${where}`;
}

function objectName(object: KubeObject, namespace: string | undefined): string {
  const name = object.metadata.name ?? `${object.metadata.generateName ?? ''}*`;
  return namespace ? `${namespace}/${name}` : name;
}
