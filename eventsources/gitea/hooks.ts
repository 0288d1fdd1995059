import type { ApiClient } from '../git-hooks/api-client.ts';
import {
  hookCollection,
  type OwnerHookSpec,
  ownerTargets,
  singlePage,
} from '../git-hooks/hook-collection.ts';
import { type HookProvider, sameEvents } from '../git-hooks/reconcile.ts';

/** What the Gitea source's hooks should say. */
export interface GiteaHookSpec extends OwnerHookSpec {
  url: string;
  events: string[];
  active: boolean;
  contentType: string;
  secret?: string;
}

interface GiteaHook {
  id: number;
  active?: boolean;
  events?: string[];
  config?: { url?: string; content_type?: string };
}

/**
 * Gitea's repository and organization hooks (`/api/v1/repos/{owner}/{repo}/hooks`,
 * `/api/v1/orgs/{org}/hooks`): one `gitea` hook per target, found by its URL.
 */
export function giteaHooks(client: ApiClient, spec: GiteaHookSpec): HookProvider {
  const config = {
    url: spec.url,
    content_type: spec.contentType,
    ...(spec.secret ? { secret: spec.secret } : {}),
  };
  const create = { type: 'gitea', active: spec.active, events: spec.events, config };
  // Gitea's edit option has no `type`.
  const edit = { active: spec.active, events: spec.events, config };
  const current = (hook: GiteaHook) =>
    hook.active === spec.active &&
    sameEvents(hook.events, spec.events) &&
    (hook.config?.content_type ?? spec.contentType) === spec.contentType;

  const target = (name: string, base: string) =>
    hookCollection<GiteaHook>(client, {
      name,
      path: `${base}/hooks`,
      list: (signal) => singlePage(client, `${base}/hooks?limit=50`, signal),
      id: (hook) => String(hook.id),
      url: (hook) => hook.config?.url ?? '',
      current,
      create,
      update: { method: 'PATCH', body: edit },
    });
  const targets = ownerTargets(spec, target);
  return { url: spec.url, targets: async () => targets };
}
