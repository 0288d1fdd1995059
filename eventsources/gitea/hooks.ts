import { type ApiClient, ignoreNotFound, segment } from '../git-hooks/api-client.ts';
import { type HookProvider, type HookTarget, sameEvents } from '../git-hooks/reconcile.ts';

/** What the Gitea source's hooks should say. */
export interface GiteaHookSpec {
  url: string;
  events: string[];
  active: boolean;
  contentType: string;
  secret?: string;
  repositories: Array<{ owner: string; names: string[] }>;
  organizations: string[];
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

  const target = (name: string, base: string): HookTarget => ({
    name,
    async list(signal) {
      const { data } = await client.request<GiteaHook[]>('GET', `${base}/hooks?limit=50`, undefined, signal);
      return (data ?? []).map((h) => ({ id: String(h.id), url: h.config?.url ?? '', current: current(h) }));
    },
    async create(signal) {
      const { data } = await client.request<GiteaHook>('POST', `${base}/hooks`, create, signal);
      return String(data.id);
    },
    async update(id, signal) {
      await client.request('PATCH', `${base}/hooks/${segment(id)}`, edit, signal);
    },
    async remove(id, signal) {
      await client.request('DELETE', `${base}/hooks/${segment(id)}`, undefined, signal).catch(ignoreNotFound);
    },
  });
  const targets: HookTarget[] = [
    ...spec.organizations.map((org) => target(`organization ${org}`, `orgs/${segment(org)}`)),
    ...spec.repositories.flatMap((r) =>
      r.names.map((n) => target(`repository ${r.owner}/${n}`, `repos/${segment(r.owner)}/${segment(n)}`)),
    ),
  ];
  return { url: spec.url, targets: async () => targets };
}
