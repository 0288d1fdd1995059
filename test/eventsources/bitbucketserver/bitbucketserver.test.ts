import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GitPayload } from '../../../eventsources/git-hooks/payload.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { postDelivery, providerTests } from '../git-hooks/provider-tests.ts';

const SECRET = 'bbs-hook-secret';
const ACCESS = 'bbs-access-token';
const env = { IMPULSE_SECRET_BBS_SECRET: SECRET, IMPULSE_SECRET_BBS_TOKEN: ACCESS };
/** The states of the pull requests holding each commit; read by the fake API on every lookup. */
const pullRequests: Record<string, string[]> = { bbb: ['OPEN'], ccc: ['MERGED'] };
const git = providerTests({
  type: 'bitbucketserver',
  env,
  api: {
    flavor: 'bitbucketserver',
    authorized: (h) => h.authorization === `Bearer ${ACCESS}`,
    projectRepos: { PROJ: ['one', 'two'] },
    pullRequests,
  },
  config: () => ({
    repositories: [{ projectKey: 'KEY', repositorySlug: 'repo' }],
    events: ['repo:refs_changed', 'pr:opened'],
    webhookSecret: { name: 'bbs', key: 'secret' },
    bitbucketserverBaseURL: `${git.api.url}/rest`,
  }),
});
const bitbucketserver = git.start;

const refsChanged = {
  eventKey: 'repo:refs_changed',
  repository: { slug: 'repo', project: { key: 'KEY' } },
  changes: [
    { ref: { id: 'refs/heads/main', type: 'BRANCH' }, type: 'UPDATE', toHash: 'aaa' },
    { ref: { id: 'refs/heads/feature', type: 'BRANCH' }, type: 'UPDATE', toHash: 'bbb' },
    { ref: { id: 'refs/tags/v1', type: 'TAG' }, type: 'ADD', toHash: 'ccc' },
  ],
};

function deliver(
  url: string,
  event: string,
  body: unknown,
  options: { secret?: string | null; id?: string } = {},
) {
  return postDelivery(url, body, {
    headers: { 'x-event-key': event, 'x-request-id': options.id ?? randomUUID() },
    secret: options.secret === undefined ? SECRET : options.secret,
    signing: [{ header: 'x-hub-signature' }],
    contentType: 'application/json; charset=utf-8',
  });
}

describe('bitbucketserver source', () => {
  it('stores a signed delivery under its X-Request-Id; refuses 401 unsigned and 403 wrongly signed', async () => {
    const f = await bitbucketserver();
    const id = randomUUID();
    expect((await deliver(f.url, 'repo:refs_changed', refsChanged, { secret: null })).status).toBe(401);
    expect((await deliver(f.url, 'repo:refs_changed', refsChanged, { secret: 'wrong' })).status).toBe(403);
    const ok = await deliver(f.url, 'repo:refs_changed', refsChanged, { id });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ id });
    const event = await waitFor(() => f.events[0]);
    expect(event).toMatchObject({ id, type: 'bitbucketserver' });
    expect((event.data as GitPayload).body).toEqual(refsChanged);
    expect((event.data as GitPayload).headers['X-Event-Key']).toEqual(['repo:refs_changed']);
    expect(f.logs.lines.filter((l) => l.msg === 'delivery refused').map((l) => l.status)).toEqual([401, 403]);
    expect(f.logs.text()).not.toContain(SECRET);
  });

  it('skips a ping and event keys not in events with 200', async () => {
    const f = await bitbucketserver();
    const ping = await deliver(f.url, 'diagnostics:ping', { test: true });
    expect(ping.json).toMatchObject({ published: false, reason: 'a ping is not published' });
    const merged = await deliver(f.url, 'pr:merged', { eventKey: 'pr:merged' });
    expect(merged.json).toMatchObject({ published: false, reason: 'event "pr:merged" is not in events' });
    await staysTrue(() => f.events.length === 0, { forMs: 200, message: 'nothing stored' });
  });

  it('with oneEventPerChange and skipBranchRefsChangedOnOpenPR, stores one event per change outside open PRs', async () => {
    const f = await bitbucketserver({
      accessToken: { name: 'bbs', key: 'token' },
      oneEventPerChange: true,
      skipBranchRefsChangedOnOpenPR: true,
    });
    const id = randomUUID();
    const answer = await deliver(f.url, 'repo:refs_changed', refsChanged, { id });
    // Numbered by place in the delivery's `changes`, not among those kept.
    expect(answer.json).toEqual({ ids: [`${id}:0`, `${id}:2`] });
    await waitFor(() => f.events.length === 2);
    const changes = f.events.map((e) => ((e.data as GitPayload).body as typeof refsChanged).changes);
    // `feature` (commit bbb) has an open pull request; the tag is kept whatever its commit.
    expect(changes).toEqual([[refsChanged.changes[0]], [refsChanged.changes[2]]]);
  });

  it('with oneEventPerChange, a retried delivery that filters out a change keeps the ids of the others', async () => {
    const f = await bitbucketserver({
      accessToken: { name: 'bbs', key: 'token' },
      oneEventPerChange: true,
      skipBranchRefsChangedOnOpenPR: true,
    });
    const hash = `h${randomUUID().slice(0, 8)}`;
    const body = {
      ...refsChanged,
      changes: [
        refsChanged.changes[0],
        { ref: { id: 'refs/heads/fix', type: 'BRANCH' }, type: 'UPDATE', toHash: hash },
        refsChanged.changes[2],
      ],
    };
    const id = randomUUID();
    const first = await deliver(f.url, 'repo:refs_changed', body, { id });
    expect(first.json).toEqual({ ids: [`${id}:0`, `${id}:1`, `${id}:2`] });
    await waitFor(() => f.events.length === 3);
    // A pull request opened on `fix` in between: the retry drops that change.
    pullRequests[hash] = ['OPEN'];
    const retry = await deliver(f.url, 'repo:refs_changed', body, { id });
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ ids: [`${id}:0`, `${id}:2`] });
    await staysTrue(() => f.events.length === 3, { forMs: 300, message: 'the retry stored nothing new' });
    expect(f.events.map((e) => e.id)).toEqual([`${id}:0`, `${id}:1`, `${id}:2`]);
  });

  it('creates hooks on the repositories and on every repository of the projects, and puts back one deleted by hand', async () => {
    await bitbucketserver({
      accessToken: { name: 'bbs', key: 'token' },
      projects: ['PROJ'],
      webhook: { url: 'https://hooks.example.com/', endpoint: '/push' },
      checkInterval: '300ms',
    });
    const hooks = (p: string, r: string) =>
      git.api.hooks.get(`/rest/api/1.0/projects/${p}/repos/${r}/webhooks`) ?? [];
    await waitFor(
      () =>
        hooks('KEY', 'repo').length === 1 &&
        hooks('PROJ', 'one').length === 1 &&
        hooks('PROJ', 'two').length === 1,
    );
    expect(hooks('PROJ', 'two')[0]).toMatchObject({
      name: 'Impulse',
      url: 'https://hooks.example.com/push',
      active: true,
      events: ['repo:refs_changed', 'pr:opened'],
      configuration: { secret: SECRET },
    });
    git.api.hooks.get('/rest/api/1.0/projects/PROJ/repos/one/webhooks')!.splice(0);
    await waitFor(() => hooks('PROJ', 'one').length === 1, {
      message: 'the hook put back at the next check',
    });
  });
});
