import { createVerify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Whose REST API the fake answers like. */
export type Flavor = 'github' | 'gitea' | 'gitlab' | 'bitbucket' | 'bitbucketserver';

export interface ApiRequest {
  method: string;
  /** Path with the query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

export interface FakeProviderApi extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly requests: ApiRequest[];
  /** Hooks by collection path (`/repos/o/r/hooks`), as the provider would store them. */
  readonly hooks: Map<string, Array<Record<string, unknown>>>;
  /** The writes (POST, PUT, PATCH, DELETE) to hook collections, as `METHOD path`. */
  writes(): string[];
  /** Answers the next `count` requests with `status`. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

export interface FakeProviderOptions {
  flavor: Flavor;
  /** A request whose headers fail this is answered 401, as a provider answers a bad token. */
  authorized(headers: IncomingHttpHeaders): boolean;
  /** Bitbucket Server: the repositories of each project. */
  projectRepos?: Record<string, string[]>;
  /** Bitbucket Server: the states of the pull requests that hold each commit. */
  pullRequests?: Record<string, string[]>;
  /** GitHub App: its public key (PEM) and the installation token it hands out. */
  app?: { publicKey: string; token: string };
}

const COLLECTION = /^(.*\/(?:hooks|webhooks))(?:\/([^/]+))?$/;

/**
 * A local HTTP server that answers hook management requests the way GitHub, Gitea, GitLab,
 * Bitbucket Cloud or Bitbucket Server do (the shapes of their lists, ids and errors), and keeps the
 * hooks it was given, so tests can check what a source created, updated and deleted.
 */
export async function startFakeProviderApi(options: FakeProviderOptions): Promise<FakeProviderApi> {
  const requests: ApiRequest[] = [];
  const hooks = new Map<string, Array<Record<string, unknown>>>();
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let nextId = 1;

  const answer = (req: ApiRequest): [number, unknown] => {
    if (failures.count > 0) {
      failures.count--;
      return [failures.status, { message: `injected ${failures.status}` }];
    }
    const path = req.path.split('?')[0]!;
    if (options.app && req.method === 'POST' && /\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return appToken(req.headers.authorization, options.app);
    }
    if (!options.authorized(req.headers)) return [401, { message: 'Bad credentials' }];
    const repos = /\/api\/1\.0\/projects\/([^/]+)\/repos$/.exec(path);
    if (repos) {
      const slugs = options.projectRepos?.[decodeURIComponent(repos[1]!)] ?? [];
      return [200, { values: slugs.map((slug) => ({ slug })), isLastPage: true }];
    }
    const prs = /\/commits\/([^/]+)\/pull-requests$/.exec(path);
    if (prs) {
      const states = options.pullRequests?.[prs[1]!] ?? [];
      return [200, { values: states.map((state, id) => ({ id, state })), isLastPage: true }];
    }
    const match = COLLECTION.exec(path);
    if (!match) return [404, { message: 'Not Found' }];
    const [, collection, id] = match as unknown as [string, string, string | undefined];
    const list = hooks.get(collection) ?? [];
    hooks.set(collection, list);
    const idKey = options.flavor === 'bitbucket' ? 'uuid' : 'id';
    const index = id === undefined ? -1 : list.findIndex((h) => String(h[idKey]) === decodeURIComponent(id));
    switch (req.method) {
      case 'GET':
        if (options.flavor === 'bitbucket') return [200, { values: list }];
        if (options.flavor === 'bitbucketserver') return [200, { values: list, isLastPage: true }];
        return [200, list];
      case 'POST': {
        const hook = { ...req.body, [idKey]: options.flavor === 'bitbucket' ? `{${nextId++}}` : nextId++ };
        list.push(hook);
        return [201, hook];
      }
      case 'PUT':
      case 'PATCH':
        if (index === -1) return [404, { message: 'Not Found' }];
        list[index] = { ...list[index], ...req.body };
        return [200, list[index]];
      case 'DELETE':
        if (index === -1) return [404, { message: 'Not Found' }];
        list.splice(index, 1);
        return [204, undefined];
      default:
        return [405, { message: 'Method Not Allowed' }];
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: ApiRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      };
      requests.push(request);
      const [status, body] = answer(request);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    hooks,
    writes: () =>
      requests
        .filter((r) => r.method !== 'GET' && COLLECTION.test(r.path.split('?')[0]!))
        .map((r) => `${r.method} ${r.path}`),
    failNext(count, status) {
      failures = { count, status };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** GitHub's installation token endpoint: checks the App's RS256 JWT, as GitHub does. */
function appToken(
  authorization: string | undefined,
  app: { publicKey: string; token: string },
): [number, unknown] {
  const jwt = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
  const [header, claims, signature] = jwt.split('.');
  if (!header || !claims || !signature) return [401, { message: 'A JSON web token could not be decoded' }];
  const valid = createVerify('RSA-SHA256')
    .update(`${header}.${claims}`)
    .verify(app.publicKey, Buffer.from(signature, 'base64url'));
  const body = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { exp: number; iat: number };
  const now = Date.now() / 1000;
  if (!valid || body.exp < now || body.iat > now) return [401, { message: 'Bad JWT' }];
  return [201, { token: app.token, expires_at: new Date(Date.now() + 3_600_000).toISOString() }];
}
