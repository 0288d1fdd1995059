import {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  fastify,
} from 'fastify';
import type { Logger } from '../../core/logger.ts';
import {
  errorResponse,
  type RouteState,
  type TlsMaterial,
  type WebhookRequest,
  type WebhookRequestHead,
  type WebhookResponse,
} from './route.ts';

export interface PortServerOptions {
  port: number;
  routes: readonly RouteState[];
  tls: TlsMaterial | undefined;
  logger: Logger;
  /** Whether `GET /health` answers 200 (the bus is connected). */
  healthy(): boolean;
}

const HEALTH_PATH = '/health';
/** Bodies sent to paths that do not exist are read up to this size, then answered all the same. */
const UNROUTED_BODY_LIMIT = 64 * 1024;
const EMPTY = Buffer.alloc(0);
/** How long a sender should wait before retrying a request refused while shutting down. */
export const RETRY_AFTER_SECONDS = '1';

/**
 * The Fastify server of one port: the routes registered for it, `GET /health`, 404 for unknown
 * paths and 405 (with `Allow`) for a known path asked with another method. Every content type is
 * read as raw bytes (later sources verify signatures over them); JSON decoding is the handler's job.
 */
export function buildPortServer(options: PortServerOptions): FastifyInstance {
  const { logger } = options;
  const common = {
    logger: false,
    exposeHeadRoutes: false,
    bodyLimit: UNROUTED_BODY_LIMIT,
    // Routes answer 503 with Retry-After themselves while closing; Fastify's own 503 has none.
    return503OnClosing: false,
    forceCloseConnections: 'idle' as const,
  };
  const app = (options.tls
    ? fastify({ ...common, https: { cert: options.tls.cert, key: options.tls.key } })
    : fastify(common)) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const allow = new Map<string, string[]>();
  const addAllowed = (path: string, method: string) => {
    const methods = allow.get(path);
    if (methods) methods.push(method);
    else allow.set(path, [method]);
  };

  for (const route of options.routes) {
    const { method, endpoint, authorize } = route.options;
    addAllowed(endpoint, method);
    app.route({
      method,
      // Endpoints are literal paths, as in Argo Events; `:` would start a parameter in Fastify.
      url: endpoint.replaceAll(':', '::'),
      bodyLimit: route.maxPayloadSize,
      config: { route },
      ...(authorize
        ? {
            onRequest: (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
              const refusal = authorize(head(request));
              if (refusal) send(reply, refusal);
              else done();
            },
          }
        : {}),
      handler: (request, reply) => handle(route, request, reply, logger),
    });
  }

  if (!allow.get(HEALTH_PATH)?.includes('GET')) {
    addAllowed(HEALTH_PATH, 'GET');
    app.get(HEALTH_PATH, (_request, reply) => {
      if (options.healthy()) return reply.send({ status: 'ok' });
      return reply.code(503).send({ status: 'unavailable', error: 'the event bus is not connected' });
    });
  }

  const notRouted = (request: FastifyRequest, reply: FastifyReply) => {
    const { path } = splitUrl(request.raw.url);
    const methods = allow.get(path);
    if (methods) {
      logger.debug({ method: request.method, path }, 'method not allowed');
      return send(
        reply,
        errorResponse(
          405,
          `${request.method} is not allowed on ${path}; use ${methods.join(' or ')}`,
          undefined,
          {
            allow: methods.join(', '),
          },
        ),
      );
    }
    logger.debug({ method: request.method, path }, 'no route');
    return send(reply, errorResponse(404, `no webhook at ${path} on port ${options.port}`));
  };
  app.setNotFoundHandler(notRouted);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    // A body sent to a path that does not exist: the answer is about the path, not the body.
    if (request.is404) return notRouted(request, reply);
    const route = routeOf(request);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = route?.maxPayloadSize ?? request.routeOptions.bodyLimit;
      route?.options.onRefused?.(413);
      logger.warn({ event: route?.options.owner, limit }, 'request body over maxPayloadSize');
      return send(
        reply,
        errorResponse(413, `request body exceeds this webhook's maxPayloadSize of ${limit} bytes`, {
          maxPayloadSize: limit,
        }),
      );
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      route?.options.onRefused?.(status);
      const message =
        err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not a valid media type; send application/json or application/x-www-form-urlencoded`
          : err.message;
      logger.warn({ event: route?.options.owner, status, err: message }, 'bad request');
      return send(reply, errorResponse(status, message));
    }
    logger.error({ event: route?.options.owner, err }, 'unexpected error while serving a webhook');
    return send(reply, errorResponse(500, 'internal error while handling the request'));
  });

  return app;
}

async function handle(
  route: RouteState,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): Promise<FastifyReply> {
  if (!route.enter()) {
    return send(
      reply,
      errorResponse(503, 'this webhook is shutting down; retry later', undefined, {
        'retry-after': RETRY_AFTER_SECONDS,
      }),
    );
  }
  try {
    let response: WebhookResponse;
    try {
      response = await route.options.handler(toWebhookRequest(request));
    } catch (err) {
      logger.error({ event: route.options.owner, err }, 'webhook handler failed');
      response = errorResponse(500, 'internal error while handling the request');
    }
    return send(reply, response);
  } finally {
    route.leave();
  }
}

function head(request: FastifyRequest): WebhookRequestHead {
  const { path, query } = splitUrl(request.raw.url);
  return {
    method: request.method,
    path,
    query,
    headers: request.headers,
    rawHeaders: request.raw.rawHeaders,
  };
}

function toWebhookRequest(request: FastifyRequest): WebhookRequest {
  const { path, query } = splitUrl(request.raw.url);
  const body = request.body;
  return {
    method: request.method,
    path,
    query,
    headers: request.headers,
    rawHeaders: request.raw.rawHeaders,
    body: Buffer.isBuffer(body) ? body : EMPTY,
  };
}

function splitUrl(url = '/'): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

function routeOf(request: FastifyRequest): RouteState | undefined {
  return (request.routeOptions.config as { route?: RouteState }).route;
}

function send(reply: FastifyReply, response: WebhookResponse): FastifyReply {
  reply.code(response.status);
  if (response.headers) reply.headers(response.headers);
  return reply.send(response.body);
}
