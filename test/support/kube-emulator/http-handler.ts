import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiServer, PatchType } from './api-server.ts';
import type { Json, JsonObject } from './json.ts';
import { parseBody } from './objects.ts';
import { deleteOptions, requestFormat, writeOptions } from './request-options.ts';
import { type ResourceRoute, route } from './router.ts';
import { ApiError, errors } from './status.ts';
import type { WatchHub } from './watch.ts';

const MAX_BODY = 3 * 1024 * 1024;

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export interface HandlerContext {
  api: ApiServer;
  watches: WatchHub;
  token: string;
  /** host:port for `/api`'s serverAddressByClientCIDRs. */
  serverAddress: () => string;
}

/** The request handler: bearer-token check, routing, JSON in and out, errors as Status objects. */
export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      const apiError =
        err instanceof ApiError ? err : errors.internal(err instanceof Error ? err.message : String(err));
      if (res.headersSent) {
        res.end();
        return;
      }
      sendJson(res, apiError.code, apiError.toStatus());
    });
  };
}

function sendJson(res: ServerResponse, code: number, body: Json, warnings: string[] = []): void {
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json' };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(JSON.stringify(body));
}

function authorized(ctx: HandlerContext, req: IncomingMessage): boolean {
  const header = req.headers.authorization ?? '';
  const expected = Buffer.from(`Bearer ${ctx.token}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw errors.tooLarge(MAX_BODY);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const r = route(ctx.api.registry, url.pathname);
  if (r.kind === 'health') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (r.kind === 'version') {
    sendJson(res, 200, {
      major: '1',
      minor: '31',
      gitVersion: 'v1.31.0-impulse-emulator',
      platform: `${process.platform}/${process.arch}`,
    });
    return;
  }
  if (!authorized(ctx, req)) throw errors.unauthorized();
  if (r.kind !== 'resource' && req.method !== 'GET') throw errors.methodNotAllowed();
  const registry = ctx.api.registry;
  switch (r.kind) {
    case 'audit':
      return sendJson(res, 200, ctx.api.audit as unknown as Json);
    case 'core-versions':
      return sendJson(res, 200, registry.coreVersions(ctx.serverAddress()));
    case 'group-list':
      return sendJson(res, 200, registry.groupList());
    case 'group': {
      const group = registry.group(r.group);
      if (!group) throw errors.noResource();
      return sendJson(res, 200, group);
    }
    case 'resource-list': {
      const list = registry.resourceList(r.groupVersion);
      if (!list) throw errors.noResource();
      return sendJson(res, 200, list);
    }
    case 'resource':
      return handleResource(ctx, r, url.searchParams, req, res);
  }
}

async function handleResource(
  ctx: HandlerContext,
  r: ResourceRoute,
  params: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { api } = ctx;
  const { type, namespace, name } = r;
  if (type.namespaced && name !== undefined && namespace === undefined) throw errors.noResource();
  const part = r.subresource === 'status' ? 'status' : 'main';
  const method = req.method ?? 'GET';
  const isWatch = r.watchPath || params.get('watch') === 'true' || params.get('watch') === '1';
  if (method === 'GET' && isWatch) {
    const names = name ? `metadata.name=${name}` : undefined;
    const selector = [params.get('fieldSelector'), names].filter(Boolean).join(',');
    const timeout = params.get('timeoutSeconds');
    const initial = params.get('sendInitialEvents');
    ctx.watches.serve(res, {
      type,
      namespace,
      resourceVersion: params.get('resourceVersion') ?? undefined,
      labelSelector: params.get('labelSelector') ?? undefined,
      fieldSelector: selector || undefined,
      allowWatchBookmarks: params.get('allowWatchBookmarks') === 'true',
      timeoutSeconds: timeout ? Number(timeout) : undefined,
      sendInitialEvents: initial === null ? undefined : initial === 'true',
      resourceVersionMatch: params.get('resourceVersionMatch') ?? undefined,
    });
    return;
  }
  if (method === 'GET') {
    if (name !== undefined) return sendJson(res, 200, api.get(type, namespace, name));
    const limit = params.get('limit');
    return sendJson(
      res,
      200,
      api.list(type, namespace, {
        labelSelector: params.get('labelSelector'),
        fieldSelector: params.get('fieldSelector'),
        limit: limit ? Number(limit) : undefined,
        continue: params.get('continue'),
      }),
    );
  }
  if (type.namespaced && namespace === undefined) throw errors.methodNotAllowed();
  if (part === 'status' && method !== 'PUT' && method !== 'PATCH') throw errors.methodNotAllowed();
  if (method === 'POST' && name === undefined) {
    const options = writeOptions(params, req);
    const created = api.create(type, namespace, parseBody(await readBody(req), requestFormat(req)), options);
    return sendJson(res, 201, created, options.warnings);
  }
  if (method === 'PUT' && name !== undefined) {
    const options = writeOptions(params, req);
    const updated = api.update(
      type,
      namespace,
      name,
      parseBody(await readBody(req), requestFormat(req)),
      part,
      options,
    );
    return sendJson(res, 200, updated, options.warnings);
  }
  if (method === 'PATCH' && name !== undefined) {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const patchType = PATCH_TYPES[contentType];
    if (!patchType) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`,
      );
    }
    const options = writeOptions(params, req);
    if (patchType === 'apply' && !params.get('fieldManager')) {
      throw errors.invalid('meta.k8s.io', 'PatchOptions', '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
          field: 'fieldManager',
        },
      ]);
    }
    if (patchType !== 'apply' && params.has('force')) {
      throw errors.invalid('meta.k8s.io', 'PatchOptions', '', [
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: may not be specified for non-apply patch',
          field: 'force',
        },
      ]);
    }
    const { object, created } = api.patch(
      type,
      namespace,
      name,
      patchType,
      await readBody(req),
      part,
      options,
    );
    return sendJson(res, created ? 201 : 200, object, options.warnings);
  }
  if (method === 'DELETE') {
    const raw = await readBody(req);
    const body = raw.trim() ? parseBody(raw, 'json') : undefined;
    const options = deleteOptions(params, body);
    if (name === undefined) {
      const query = {
        labelSelector: params.get('labelSelector'),
        fieldSelector: params.get('fieldSelector'),
      };
      return sendJson(res, 200, api.deleteCollection(type, namespace, query, options) as JsonObject);
    }
    const result = api.delete(type, namespace, name, options);
    return sendJson(res, result.code, result.body);
  }
  throw errors.methodNotAllowed();
}
