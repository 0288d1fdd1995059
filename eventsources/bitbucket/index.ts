import { createApiClient } from '../git-hooks/api-client.ts';
import { deliveryJson, gitHeaders, gitPayload, headerValue, wanted } from '../git-hooks/payload.ts';
import { createGitReceiver, notInEvents, publishOne, type Verdict } from '../git-hooks/receiver.ts';
import { hookUrl } from '../git-hooks/reconcile.ts';
import type { WebhookRequest } from '../http/route.ts';
import { readOptionalSecret, readSharedSecret, signatureCheck } from '../http/signature.ts';
import { resolveWebhookContext } from '../http/webhook-context.ts';
import type { EventSourceDriver, SourceConfig, SourceInit } from '../types.ts';
import { bitbucketHooks } from './hooks.ts';

/** Bitbucket Cloud's API root. */
export const BITBUCKET_API = 'https://api.bitbucket.org/2.0/';

export interface BitbucketSourceOptions {
  /** The API root (tests point it at a local server). @default BITBUCKET_API */
  apiBaseUrl?: string;
}

/**
 * The `bitbucket` (Cloud) source: deliveries with Argo Events' payload `{headers, body,
 * metadata}`. With `webhookSecret` (an Impulse field: Argo Events never verifies Bitbucket Cloud
 * deliveries), `X-Hub-Signature` (`sha256=<hex>`) must match the raw body: 401 when missing, 403
 * when wrong. `X-Event-Key` must be one of `events` (empty: all), else 200 and not published.
 * `X-Request-UUID` is the event id. With `auth` and `webhook.url`, the repositories' hooks are
 * created or updated (with the secret, when set).
 */
export function createBitbucketSource(
  init: SourceInit<SourceConfig<'bitbucket'>>,
  options: BitbucketSourceOptions = {},
): EventSourceDriver {
  const { config, path, secrets } = init;
  const context = resolveWebhookContext(config.webhook, `${path}.webhook`, secrets);
  const secret = readOptionalSecret(secrets, config.webhookSecret, `${path}.webhookSecret`);
  const check = secret
    ? signatureCheck(secret, { header: 'X-Hub-Signature', algorithm: 'sha256', prefix: 'sha256=' })
    : undefined;

  const accept = (request: WebhookRequest): Verdict => {
    const event = headerValue(request, 'x-event-key');
    const delivery = headerValue(request, 'x-request-uuid') || undefined;
    const where = delivery ? { delivery } : {};
    const refusal = check?.verify(request.body, request.headers);
    if (refusal) return { kind: 'refuse', ...refusal, ...where };
    if (!wanted(config.events, event)) return notInEvents(event, 'X-Event-Key', delivery);
    return publishOne(gitPayload(gitHeaders(request), deliveryJson(request), config.metadata), delivery);
  };

  return createGitReceiver({
    init: init as SourceInit<unknown>,
    context,
    type: 'bitbucket',
    ...(check ? { authorize: (head) => check.present(head.headers) } : {}),
    accept,
    ...hookManagement(init, options.apiBaseUrl ?? BITBUCKET_API, secret),
  });
}

/** As in Argo Events: with basic auth or an OAuth token, and `webhook.url`. */
function hookManagement(
  init: SourceInit<SourceConfig<'bitbucket'>>,
  baseUrl: string,
  secret: string | undefined,
) {
  const { config, path, secrets } = init;
  const { basic, oauthToken } = config.auth;
  if (!config.webhook.url || !(basic || oauthToken)) return {};
  let authorization: string;
  if (basic) {
    const user = readSharedSecret(secrets, basic.username, `${path}.auth.basic.username`);
    const password = readSharedSecret(secrets, basic.password, `${path}.auth.basic.password`);
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  } else {
    authorization = `Bearer ${readSharedSecret(secrets, oauthToken!, `${path}.auth.oauthToken`)}`;
  }
  const repositories = config.repositories?.length
    ? config.repositories
    : config.owner && config.repositorySlug
      ? [{ owner: config.owner, repositorySlug: config.repositorySlug }]
      : [];
  const provider = bitbucketHooks(
    createApiClient({ baseUrl, what: 'Bitbucket API', auth: () => ({ authorization }) }),
    {
      url: hookUrl(config.webhook.url, config.webhook.endpoint),
      events: config.events ?? [],
      repositories,
      ...(secret ? { secret } : {}),
    },
  );
  return { hooks: { provider, deleteOnFinish: config.deleteHookOnFinish ?? false } };
}
