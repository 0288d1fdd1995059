import { type Static, Type } from '@sinclair/typebox';
import { Metadata, SecretKeySelector, WebhookContext } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/**
 * GitLab's hook event kinds as Argo Events names them (the fields of GitLab's "add hook" options),
 * with the `X-Gitlab-Event` header value of each delivery kind and the hook API's flag.
 */
export const GITLAB_EVENTS: Readonly<Record<string, { header: string; flag: string }>> = {
  PushEvents: { header: 'Push Hook', flag: 'push_events' },
  TagPushEvents: { header: 'Tag Push Hook', flag: 'tag_push_events' },
  IssuesEvents: { header: 'Issue Hook', flag: 'issues_events' },
  ConfidentialIssuesEvents: { header: 'Confidential Issue Hook', flag: 'confidential_issues_events' },
  MergeRequestsEvents: { header: 'Merge Request Hook', flag: 'merge_requests_events' },
  NoteEvents: { header: 'Note Hook', flag: 'note_events' },
  ConfidentialNoteEvents: { header: 'Confidential Note Hook', flag: 'confidential_note_events' },
  JobEvents: { header: 'Job Hook', flag: 'job_events' },
  PipelineEvents: { header: 'Pipeline Hook', flag: 'pipeline_events' },
  WikiPageEvents: { header: 'Wiki Page Hook', flag: 'wiki_page_events' },
  EmojiEvents: { header: 'Emoji Hook', flag: 'emoji_events' },
  ReleasesEvents: { header: 'Release Hook', flag: 'releases_events' },
  DeploymentEvents: { header: 'Deployment Hook', flag: 'deployment_events' },
  FeatureFlagEvents: { header: 'Feature Flag Hook', flag: 'feature_flag_events' },
  ResourceAccessTokenEvents: { header: 'Resource Access Token Hook', flag: 'resource_access_token_events' },
};

/** The names `events` may hold. */
export const GITLAB_EVENT_NAMES = Object.keys(GITLAB_EVENTS);

/** One `spec.gitlab.<event>` entry: deliveries from GitLab project or group webhooks. */
export const GitlabEventSource = Obj(
  {
    webhook: WebhookContext,
    projectID: Opt(Type.String({ description: 'Deprecated: use `projects`. A single project id or path.' })),
    events: Type.Array(Type.String(), {
      description:
        'GitLab hook event kinds to enable (`PushEvents`, `MergeRequestsEvents`, ...); deliveries of other kinds are answered 200 and not published.',
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
