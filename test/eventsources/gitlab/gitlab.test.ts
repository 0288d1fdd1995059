import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type GitPayload, MASKED_TOKEN } from '../../../eventsources/git-hooks/payload.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { providerTests } from '../git-hooks/provider-tests.ts';
import { send } from '../http-client.ts';

const TOKEN = 'gitlab-secret-token-77';
const ACCESS = 'glpat-access-19';
const env = { IMPULSE_SECRET_GITLAB_SECRET_TOKEN: TOKEN, IMPULSE_SECRET_GITLAB_ACCESS_TOKEN: ACCESS };
const push = {
  object_kind: 'push',
  ref: 'refs/heads/main',
  after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
};
const git = providerTests({
  type: 'gitlab',
  env,
  api: { flavor: 'gitlab', authorized: (h) => h['private-token'] === ACCESS },
  config: () => ({
    projects: ['whynowy/test', '3'],
    events: ['PushEvents', 'MergeRequestsEvents'],
    accessToken: { name: 'gitlab-access', key: 'token' },
    secretToken: { name: 'gitlab-secret', key: 'token' },
    gitlabBaseURL: git.api.url,
  }),
});
const gitlab = git.start;

function deliver(
  url: string,
  event: string,
  body: unknown,
  token: string | null = TOKEN,
  uuid = randomUUID(),
) {
  return send(url, {
    headers: {
      'content-type': 'application/json',
      'x-gitlab-event': event,
      'x-gitlab-event-uuid': uuid,
      ...(token === null ? {} : { 'x-gitlab-token': token }),
    },
    body: JSON.stringify(body),
  });
}

describe('gitlab source', () => {
  it('stores a delivery with the right token under its X-Gitlab-Event-UUID, with the token masked', async () => {
    const f = await gitlab({ metadata: { env: 'prod' } });
    const uuid = randomUUID();
    const answer = await deliver(f.url, 'Push Hook', push, TOKEN, uuid);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ id: uuid });
    const event = await waitFor(() => f.events[0]);
    expect(event).toMatchObject({ id: uuid, type: 'gitlab', subject: 'push' });
    const data = event.data as GitPayload;
    expect(data.body).toEqual(push);
    expect(data.headers['X-Gitlab-Token']).toEqual([MASKED_TOKEN]);
    expect(data.headers['X-Gitlab-Event']).toEqual(['Push Hook']);
    expect(data.metadata).toEqual({ env: 'prod' });
    expect(JSON.stringify(f.events)).not.toContain(TOKEN);
  });

  it('refuses a missing token 401 and a wrong one 403, before reading the body, logging why but not the token', async () => {
    const f = await gitlab();
    expect((await deliver(f.url, 'Push Hook', push, null)).status).toBe(401);
    const wrong = await deliver(f.url, 'Push Hook', push, `${TOKEN}x`);
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toBe('the token in X-Gitlab-Token is wrong');
    const reasons = f.logs.lines.filter((l) => l.msg === 'delivery refused').map((l) => [l.status, l.reason]);
    expect(reasons).toEqual([
      [401, 'missing token header X-Gitlab-Token'],
      [403, 'the token in X-Gitlab-Token is wrong'],
    ]);
    expect(f.logs.text()).not.toContain(TOKEN);
    await staysTrue(() => f.events.length === 0, { forMs: 200, message: 'nothing stored' });
  });

  it('answers 200 without publishing an event kind not in events, and stores the same delivery once', async () => {
    const f = await gitlab();
    const issue = await deliver(f.url, 'Issue Hook', { object_kind: 'issue' });
    expect(issue.json).toMatchObject({ published: false, reason: 'event "Issue Hook" is not in events' });
    const uuid = randomUUID();
    await deliver(f.url, 'Merge Request Hook', { object_kind: 'merge_request' }, TOKEN, uuid);
    await deliver(f.url, 'Merge Request Hook', { object_kind: 'merge_request' }, TOKEN, uuid);
    await waitFor(() => f.events[0]);
    await staysTrue(() => f.events.length === 1, { forMs: 200, message: 'one event' });
    expect(f.events[0]!.id).toBe(uuid);
  });

  it('creates project hooks with exactly the listed event flags and the secret token', async () => {
    const f = await gitlab({
      webhook: { url: 'https://hooks.example.com', endpoint: '/push' },
      deleteHookOnFinish: true,
    });
    const hooks = (p: string) => git.api.hooks.get(`/api/v4/projects/${p}/hooks`) ?? [];
    await waitFor(() => hooks('whynowy%2Ftest').length === 1 && hooks('3').length === 1);
    expect(hooks('3')[0]).toMatchObject({
      url: 'https://hooks.example.com/push',
      token: TOKEN,
      enable_ssl_verification: false,
      push_events: true,
      merge_requests_events: true,
      issues_events: false,
      tag_push_events: false,
    });
    await f.close();
    expect(hooks('3')).toEqual([]);
    expect(hooks('whynowy%2Ftest')).toEqual([]);
  });

  it('refuses an event kind GitLab does not have, naming the field and the kinds it knows', async () => {
    await expect(gitlab({ events: ['PushEvents', 'PushEvent'] })).rejects.toThrow(
      /spec\.gitlab\.push\.events: unknown GitLab event "PushEvent"; expected PushEvents, TagPushEvents/,
    );
  });
});
