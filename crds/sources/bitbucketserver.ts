import { type Static, Type } from '@sinclair/typebox';
import { Metadata, SecretKeySelector, TLSConfig, WebhookContext } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** A repository on a Bitbucket Server (Data Center). */
export const BitbucketServerRepository = Obj({
  projectKey: Type.String({ minLength: 1, description: 'Key of the project holding the repository.' }),
  repositorySlug: Type.String({ minLength: 1, description: 'URL-safe repository name.' }),
});
export type BitbucketServerRepository = Static<typeof BitbucketServerRepository>;

/** One `spec.bitbucketserver.<event>` entry: deliveries from Bitbucket Server webhooks. */
export const BitbucketServerEventSource = Obj(
  {
    webhook: WebhookContext,
    projectKey: Opt(
      Type.String({ description: 'Deprecated: use `repositories`. Project of `repositorySlug`.' }),
    ),
    repositorySlug: Opt(Type.String({ description: 'Deprecated: use `repositories`. A single repository.' })),
    projects: Opt(Type.Array(Type.String(), { description: 'Project keys to hook at project level.' })),
    repositories: Opt(Type.Array(BitbucketServerRepository, { description: 'Repositories to hook.' })),
    events: Opt(
      Type.Array(Type.String(), { description: 'Bitbucket Server event keys, e.g. `repo:refs_changed`.' }),
    ),
    skipBranchRefsChangedOnOpenPR: Opt(
      Type.Boolean({
        description: 'Skip `repo:refs_changed` events for branches that have an open pull request.',
      }),
    ),
    oneEventPerChange: Opt(
      Type.Boolean({ description: 'Emit one event per ref change of a `repo:refs_changed` delivery.' }),
    ),
    accessToken: Opt(SecretKeySelector),
    webhookSecret: Opt(SecretKeySelector),
    bitbucketserverBaseURL: Type.String({
      minLength: 1,
      description: 'REST API base URL of the server, e.g. https://bitbucket.example.com/rest.',
    }),
    deleteHookOnFinish: Opt(Type.Boolean({ description: 'Remove the hooks when the EventSource stops.' })),
    metadata: Opt(Metadata),
    filter: Opt(EventSourceFilter),
    tls: Opt(TLSConfig),
    checkInterval: Opt(
      Type.String({
        description: 'How often to check that the hooks still exist, as a Go duration (e.g. 1m).',
      }),
    ),
  },
  'Bitbucket Server webhook deliveries; with `accessToken` and `webhook.url`, the hooks are created too.',
);
export type BitbucketServerEventSource = Static<typeof BitbucketServerEventSource>;
