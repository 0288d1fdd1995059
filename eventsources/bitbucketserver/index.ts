import { resolveClientTls } from '../../core/client-tls.ts';
import { durationToMs } from '../../core/duration.ts';
import { ImpulseError } from '../../core/errors.ts';
import { type ApiClient, createApiClient } from '../git-hooks/api-client.ts';
import { deliveryJson, gitHeaders, gitPayload, headerValue, wanted } from '../git-hooks/payload.ts';
import { createGitReceiver, notInEvents, type Verdict } from '../git-hooks/receiver.ts';
import { hookUrl } from '../git-hooks/reconcile.ts';
import type { WebhookRequest } from '../http/route.ts';
import { readOptionalSecret, readSharedSecret, signatureCheck } from '../http/signature.ts';
import { resolveWebhookContext } from '../http/webhook-context.ts';
import type { EventSourceDriver, SourceConfig, SourceInit } from '../types.ts';
import { bitbucketServerHooks } from './hooks.ts';
import { onePerChange, withoutOpenPullRequests } from './refs-changed.ts';

/** How long the open-pull-request lookup of one delivery may take. */
const LOOKUP_TIMEOUT_MS = 10_000;
const REFS_CHANGED = 'repo:refs_changed';

/**
 * The `bitbucketserver` source: Bitbucket Server (Data Center) deliveries with Argo Events'
 * payload `{headers, body, metadata}`. With `webhookSecret`, `X-Hub-Signature` (`sha256=<hex>`)
 * must match the raw body: 401 when missing, 403 when wrong (Argo Events checks it only when it
 * manages the hooks; here always). `X-Event-Key` must be one of `events` (empty: all), and
 * `diagnostics:ping` is answered 200 and not published. `X-Request-Id` is the event id
 * (`<id>:<n>` for each change with `oneEventPerChange`). With `accessToken` and `webhook.url`, the
 * repositories' hooks are created or updated and checked every `checkInterval` (default 1m).
 */
export function createBitbucketServerSource(
  init: SourceInit<SourceConfig<'bitbucketserver'>>,
): EventSourceDriver {
  const { config, path, secrets } = init;
  const context = resolveWebhookContext(config.webhook, `${path}.webhook`, secrets);
  const secret = readOptionalSecret(secrets, config.webhookSecret, `${path}.webhookSecret`);
  const check = secret
    ? signatureCheck(secret, { header: 'X-Hub-Signature', algorithm: 'sha256', prefix: 'sha256=' })
    : undefined;
  const client = config.accessToken ? apiClient(init) : undefined;
  if (config.skipBranchRefsChangedOnOpenPR && !client) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.skipBranchRefsChangedOnOpenPR: needs accessToken, to ask Bitbucket Server for a commit's pull requests`,
    );
  }

  const accept = async (request: WebhookRequest): Promise<Verdict> => {
    const event = headerValue(request, 'x-event-key');
    const delivery = headerValue(request, 'x-request-id') || undefined;
    const where = delivery ? { delivery } : {};
    const refusal = check?.verify(request.body, request.headers);
    if (refusal) return { kind: 'refuse', ...refusal, ...where };
    if (event === 'diagnostics:ping') return { kind: 'skip', reason: 'a ping is not published', ...where };
    if (!wanted(config.events, event)) return notInEvents(event, 'X-Event-Key', delivery);
    const body = deliveryJson(request);
    let bodies: unknown[] = [body];
    // With one event per change, each id ends in the change's place in the delivery's `changes`,
    // not among those kept: a retry whose open-PR lookups keep fewer still gives each its own id.
    let suffixes: Array<string | undefined> = [undefined];
    if (event === REFS_CHANGED && isObject(body)) {
      let changed = body;
      if (config.skipBranchRefsChangedOnOpenPR && client) {
        changed = await withoutOpenPullRequests(client, body, AbortSignal.timeout(LOOKUP_TIMEOUT_MS));
        if ((changed.changes as unknown[]).length === 0) {
          return { kind: 'skip', reason: 'every changed branch has an open pull request', ...where };
        }
      }
      if (config.oneEventPerChange) {
        const all: unknown[] = Array.isArray(body.changes) ? body.changes : [];
        const kept: unknown[] = Array.isArray(changed.changes) ? changed.changes : [];
        bodies = onePerChange(changed);
        if (all.length > 1) suffixes = kept.map((change) => `:${all.indexOf(change)}`);
      } else {
        bodies = [changed];
      }
    }
    const headers = gitHeaders(request);
    return {
      kind: 'publish',
      events: bodies.map((b, i) => {
        const payload = gitPayload(headers, b, config.metadata);
        const id = delivery && `${delivery}${suffixes[i] ?? ''}`;
        return { payload, ...(id ? { id } : {}) };
      }),
    };
  };

  return createGitReceiver({
    init: init as SourceInit<unknown>,
    context,
    type: 'bitbucketserver',
    ...(check ? { authorize: (head) => check.present(head.headers) } : {}),
    accept,
    ...hookManagement(init, client, secret),
  });
}

function apiClient(init: SourceInit<SourceConfig<'bitbucketserver'>>): ApiClient {
  const { config, path, secrets } = init;
  const token = readSharedSecret(secrets, config.accessToken!, `${path}.accessToken`);
  const tls = resolveClientTls(config.tls, path, secrets);
  return createApiClient({
    baseUrl: config.bitbucketserverBaseURL,
    what: 'Bitbucket Server API',
    auth: () => ({ authorization: `Bearer ${token}` }),
    ...(tls ? { tls } : {}),
  });
}

/** As in Argo Events: with `accessToken`, `webhook.url` and some repositories or projects. */
function hookManagement(
  init: SourceInit<SourceConfig<'bitbucketserver'>>,
  client: ApiClient | undefined,
  secret: string | undefined,
) {
  const { config, path } = init;
  const repositories = config.repositories?.length
    ? config.repositories
    : config.projectKey && config.repositorySlug
      ? [{ projectKey: config.projectKey, repositorySlug: config.repositorySlug }]
      : [];
  const projects = config.projects ?? [];
  if (!client || !config.webhook.url || (repositories.length === 0 && projects.length === 0)) return {};
  const intervalMs = config.checkInterval ? durationToMs(config.checkInterval) : undefined;
  if (config.checkInterval && !(intervalMs && intervalMs > 0)) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.checkInterval: expected a Go duration longer than 0 such as "1m", found "${config.checkInterval}"`,
    );
  }
  const provider = bitbucketServerHooks(client, {
    url: hookUrl(config.webhook.url, config.webhook.endpoint),
    events: config.events ?? [],
    repositories,
    projects,
    ...(secret ? { secret } : {}),
  });
  return {
    hooks: {
      provider,
      deleteOnFinish: config.deleteHookOnFinish ?? false,
      ...(intervalMs ? { intervalMs } : {}),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
