import { ImpulseError } from '../../core/errors.ts';
import { GITLAB_EVENT_NAMES, GITLAB_EVENTS } from '../../crds/index.ts';
import { createApiClient } from '../git-hooks/api-client.ts';
import { deliveryJson, gitHeaders, gitPayload, headerValue } from '../git-hooks/payload.ts';
import { createGitReceiver, notInEvents, publishOne, type Verdict } from '../git-hooks/receiver.ts';
import { hookUrl } from '../git-hooks/reconcile.ts';
import type { WebhookRequest } from '../http/route.ts';
import { readOptionalSecret, readSharedSecret, tokenCheck } from '../http/signature.ts';
import { resolveWebhookContext } from '../http/webhook-context.ts';
import type { EventSourceDriver, SourceConfig, SourceInit } from '../types.ts';
import { gitlabHooks } from './hooks.ts';

/** The header GitLab sends the hook's secret token in; masked in payloads. */
const TOKEN_HEADER = 'X-Gitlab-Token';

/**
 * The `gitlab` source: GitLab webhook deliveries with Argo Events' payload `{headers, body,
 * metadata}`. With `secretToken`, `X-Gitlab-Token` must carry it (401 when missing, 403 when
 * wrong, compared in constant time, before the body is read) and is masked in the payload.
 * `X-Gitlab-Event` must be one of `events` (`Push Hook` for `PushEvents`, ...; an empty list takes
 * all), else the delivery is answered 200 and not published. `X-Gitlab-Event-UUID` is the event id. With `webhook.url`,
 * the project and group hooks are created or updated with `accessToken`.
 */
export function createGitlabSource(init: SourceInit<SourceConfig<'gitlab'>>): EventSourceDriver {
  const { config, path, secrets } = init;
  const context = resolveWebhookContext(config.webhook, `${path}.webhook`, secrets);
  const unknown = config.events.filter((e) => !GITLAB_EVENTS[e]);
  if (unknown.length > 0) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.events: unknown GitLab event ${unknown.map((e) => `"${e}"`).join(', ')}; expected ${GITLAB_EVENT_NAMES.join(', ')}`,
    );
  }
  const headers = new Set(config.events.map((e) => GITLAB_EVENTS[e]!.header));
  const token = readOptionalSecret(secrets, config.secretToken, `${path}.secretToken`);
  const checkToken = token ? tokenCheck(TOKEN_HEADER, token) : undefined;
  const masked = token ? [TOKEN_HEADER] : [];

  const accept = (request: WebhookRequest): Verdict => {
    const event = headerValue(request, 'x-gitlab-event');
    const delivery = headerValue(request, 'x-gitlab-event-uuid') || undefined;
    if (headers.size > 0 && !headers.has(event)) return notInEvents(event, 'X-Gitlab-Event', delivery);
    const body = deliveryJson(request);
    return publishOne(gitPayload(gitHeaders(request, masked), body, config.metadata), delivery);
  };

  return createGitReceiver({
    init: init as SourceInit<unknown>,
    context,
    type: 'gitlab',
    ...(checkToken ? { authorize: (head) => checkToken(head.headers) } : {}),
    accept,
    ...hookManagement(init, token),
  });
}

/** Hooks are managed when `webhook.url` is set (`accessToken` is required), as in Argo Events. */
function hookManagement(init: SourceInit<SourceConfig<'gitlab'>>, token: string | undefined) {
  const { config, path, secrets } = init;
  if (!config.webhook.url) return {};
  const accessToken = readSharedSecret(secrets, config.accessToken, `${path}.accessToken`);
  const client = createApiClient({
    baseUrl: `${config.gitlabBaseURL.replace(/\/+$/, '')}/api/v4/`,
    what: 'GitLab API',
    auth: () => ({ 'private-token': accessToken }),
  });
  const projects = config.projects?.length ? config.projects : config.projectID ? [config.projectID] : [];
  const provider = gitlabHooks(client, {
    url: hookUrl(config.webhook.url, config.webhook.endpoint),
    events: config.events,
    enableSslVerification: config.enableSSLVerification ?? false,
    projects,
    groups: config.groups ?? [],
    ...(token ? { token } : {}),
  });
  return { hooks: { provider, deleteOnFinish: config.deleteHookOnFinish ?? false } };
}
