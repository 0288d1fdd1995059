import { GITLAB_EVENTS } from '../../crds/index.ts';
import { type ApiClient, segment } from '../git-hooks/api-client.ts';
import { hookCollection, singlePage } from '../git-hooks/hook-collection.ts';
import type { HookProvider } from '../git-hooks/reconcile.ts';

/** What the GitLab source's hooks should say. */
export interface GitlabHookSpec {
  url: string;
  /** Argo's event names (`PushEvents`); every other kind is switched off. */
  events: string[];
  enableSslVerification: boolean;
  token?: string;
  projects: string[];
  groups: string[];
}

type GitlabHook = { id: number; url?: string } & Record<string, unknown>;

/**
 * GitLab's project and group hooks (`/projects/{id}/hooks`, `/groups/{id}/hooks`, where an id may
 * be a path such as `group/project`): one hook per target, found by its URL, with exactly the
 * event flags the manifest lists.
 */
export function gitlabHooks(client: ApiClient, spec: GitlabHookSpec): HookProvider {
  const flags: Record<string, boolean> = {};
  for (const [name, { flag }] of Object.entries(GITLAB_EVENTS)) flags[flag] = spec.events.includes(name);
  const body = {
    url: spec.url,
    enable_ssl_verification: spec.enableSslVerification,
    ...flags,
    ...(spec.token ? { token: spec.token } : {}),
  };
  // A GitLab that does not know a flag leaves it out of its answer; only those it lists are compared.
  const current = (hook: GitlabHook) =>
    (hook.enable_ssl_verification ?? spec.enableSslVerification) === spec.enableSslVerification &&
    Object.entries(flags).every(([flag, on]) => hook[flag] === undefined || hook[flag] === on);

  const target = (name: string, base: string) =>
    hookCollection<GitlabHook>(client, {
      name,
      path: `${base}/hooks`,
      list: (signal) => singlePage(client, `${base}/hooks?per_page=100`, signal),
      id: (hook) => String(hook.id),
      url: (hook) => hook.url ?? '',
      current,
      create: body,
      update: { method: 'PUT', body },
    });

  const targets = [
    ...spec.groups.map((g) => target(`group ${g}`, `groups/${segment(g)}`)),
    ...spec.projects.map((p) => target(`project ${p}`, `projects/${segment(p)}`)),
  ];
  return { url: spec.url, targets: async () => targets };
}
