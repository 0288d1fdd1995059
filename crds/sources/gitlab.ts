import { type Static, Type } from '@sinclair/typebox';
import { Metadata, SecretKeySelector, WebhookContext } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** One `spec.gitlab.<event>` entry: deliveries from GitLab project or group webhooks. */
export const GitlabEventSource = Obj(
  {
    webhook: WebhookContext,
    projectID: Opt(Type.String({ description: 'Deprecated: use `projects`. A single project id or path.' })),
    events: Type.Array(Type.String(), {
      description: 'GitLab hook event kinds to enable (`PushEvents`, `MergeRequestsEvents`, ...).',
    }),
    accessToken: SecretKeySelector,
    enableSSLVerification: Opt(
      Type.Boolean({ description: 'Let GitLab verify TLS when delivering to `url`.' }),
    ),
    gitlabBaseURL: Type.String({
      minLength: 1,
      description: 'Base URL of the GitLab server, e.g. https://gitlab.com.',
    }),
    deleteHookOnFinish: Opt(Type.Boolean({ description: 'Remove the hooks when the EventSource stops.' })),
    metadata: Opt(Metadata),
    projects: Opt(
      Type.Array(Type.String(), {
        description: 'Project ids or namespaced paths (`group/project`) to hook.',
      }),
    ),
    secretToken: Opt(SecretKeySelector),
    filter: Opt(EventSourceFilter),
    groups: Opt(
      Type.Array(Type.String(), { description: 'Group ids or paths to hook (GitLab Premium and up).' }),
    ),
  },
  'GitLab webhook deliveries; with `webhook.url`, the hooks are created on GitLab too.',
);
export type GitlabEventSource = Static<typeof GitlabEventSource>;
