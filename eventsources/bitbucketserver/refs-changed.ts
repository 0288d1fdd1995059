import type { ApiClient } from '../git-hooks/api-client.ts';
import { segment } from '../git-hooks/api-client.ts';
import { allPages } from './hooks.ts';

/** The parts of a `repo:refs_changed` delivery this source reads. */
interface RefsChanged {
  repository?: { slug?: string; project?: { key?: string } };
  changes?: Array<{ ref?: { type?: string }; type?: string; toHash?: string }>;
}

/**
 * Argo Events' `skipBranchRefsChangedOnOpenPR`: drops the changes of branches whose new commit
 * belongs to an open pull request (that push is reported by the pull request's own events).
 * Tags and deletions are kept. Asks `/api/1.0/projects/{key}/repos/{slug}/commits/{hash}/pull-requests`.
 */
export async function withoutOpenPullRequests(
  client: ApiClient,
  body: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const delivery = body as RefsChanged;
  const key = delivery.repository?.project?.key ?? '';
  const slug = delivery.repository?.slug ?? '';
  const kept = [];
  for (const change of delivery.changes ?? []) {
    if (change.ref?.type !== 'BRANCH' || change.type === 'DELETE' || !change.toHash) {
      kept.push(change);
      continue;
    }
    const path = `api/1.0/projects/${segment(key)}/repos/${segment(slug)}/commits/${segment(change.toHash)}/pull-requests`;
    const pullRequests = await allPages<{ state?: string }>(client, path, signal);
    if (!pullRequests.some((pr) => pr.state?.toUpperCase() === 'OPEN')) kept.push(change);
  }
  return { ...body, changes: kept };
}

/** Argo Events' `oneEventPerChange`: one copy of the delivery per entry of `changes`. */
export function onePerChange(body: Record<string, unknown>): Array<Record<string, unknown>> {
  const changes = (body as RefsChanged).changes ?? [];
  return changes.map((change) => ({ ...body, changes: [change] }));
}
