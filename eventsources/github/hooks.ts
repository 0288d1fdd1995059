import type { ApiClient } from '../git-hooks/api-client.ts';
import {
  hookCollection,
  type OwnerHookSpec,
  ownerTargets,
  singlePage,
} from '../git-hooks/hook-collection.ts';
import { type HookProvider, sameEvents } from '../git-hooks/reconcile.ts';

/** What the GitHub source's hooks should say. */
export interface GithubHookSpec extends OwnerHookSpec {
  url: string;
  events: string[];
  active: boolean;
  /** `json` or `form`; GitHub's default (form) when unset, as in Argo Events. */
  contentType?: string;
  insecure: boolean;
  secret?: string;
}

interface GithubHook {
  id: number;
  active?: boolean;
  events?: string[];
  config?: { url?: string; content_type?: string; insecure_ssl?: string };
}

/**
 * GitHub's repository and organization hooks (`/repos/{owner}/{repo}/hooks`,
 * `/orgs/{org}/hooks`): one `web` hook per target, found by its URL.
 */
export function githubHooks(client: ApiClient, spec: GithubHookSpec): HookProvider {
  const insecure = spec.insecure ? '1' : '0';
  const config = {
    url: spec.url,
    insecure_ssl: insecure,
    ...(spec.contentType ? { content_type: spec.contentType } : {}),
    ...(spec.secret ? { secret: spec.secret } : {}),
  };
  const body = { name: 'web', active: spec.active, events: spec.events, config };
  const current = (hook: GithubHook) =>
    hook.active === spec.active &&
    (sameEvents(hook.events, spec.events) || (!!hook.events?.includes('*') && spec.events.includes('*'))) &&
    (spec.contentType === undefined || hook.config?.content_type === spec.contentType) &&
    (hook.config?.insecure_ssl ?? '0') === insecure;

  const target = (name: string, base: string) =>
    hookCollection<GithubHook>(client, {
      name,
      path: `${base}/hooks`,
      list: (signal) => singlePage(client, `${base}/hooks?per_page=100`, signal),
      id: (hook) => String(hook.id),
      url: (hook) => hook.config?.url ?? '',
      current,
      create: body,
      update: { method: 'PATCH', body },
    });
  const targets = ownerTargets(spec, target);
  return { url: spec.url, targets: async () => targets };
}
