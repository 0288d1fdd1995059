import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBitbucketSource } from '../../../eventsources/bitbucket/index.ts';
import type { GitPayload } from '../../../eventsources/git-hooks/payload.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { postDelivery, providerTests } from '../git-hooks/provider-tests.ts';

const SECRET = 'bb-cloud-secret';
const env = {
  IMPULSE_SECRET_BB_SECRET: SECRET,
  IMPULSE_SECRET_BITBUCKET_ACCESS_USERNAME: 'robot',
  IMPULSE_SECRET_BITBUCKET_ACCESS_PASSWORD: 'app-password-1',
};
const basic = `Basic ${Buffer.from('robot:app-password-1').toString('base64')}`;
const git = providerTests({
  type: 'bitbucket',
  env,
  api: { flavor: 'bitbucket', authorized: (h) => h.authorization === basic },
  config: () => ({
    repositories: [{ owner: 'team', repositorySlug: 'app' }],
    events: ['repo:push'],
    auth: {
      basic: {
        username: { name: 'bitbucket-access', key: 'username' },
        password: { name: 'bitbucket-access', key: 'password' },
      },
    },
    webhookSecret: { name: 'bb', key: 'secret' },
  }),
  registry: () => ({
    bitbucket: (init) => createBitbucketSource(init, { apiBaseUrl: `${git.api.url}/2.0/` }),
  }),
});
const bitbucket = git.start;

function deliver(
  url: string,
  event: string,
  body: unknown,
  options: { secret?: string | null; id?: string } = {},
) {
  return postDelivery(url, body, {
    headers: { 'x-event-key': event, 'x-request-uuid': options.id ?? randomUUID() },
    secret: options.secret === undefined ? SECRET : options.secret,
    signing: [{ header: 'x-hub-signature' }],
  });
}

const push = { push: { changes: [{ new: { name: 'main', target: { hash: 'abc' } } }] } };

describe('bitbucket (Cloud) source', () => {
  it('verifies X-Hub-Signature when webhookSecret is set: 401 missing, 403 wrong, stored under X-Request-UUID', async () => {
    const f = await bitbucket();
    expect((await deliver(f.url, 'repo:push', push, { secret: null })).status).toBe(401);
    expect((await deliver(f.url, 'repo:push', push, { secret: 'guess' })).status).toBe(403);
    const id = randomUUID();
    expect((await deliver(f.url, 'repo:push', push, { id })).json).toEqual({ id });
    const event = await waitFor(() => f.events[0]);
    expect(event).toMatchObject({ id, type: 'bitbucket' });
    expect((event.data as GitPayload).body).toEqual(push);
    expect(f.logs.lines.filter((l) => l.msg === 'delivery refused').map((l) => l.reason)).toEqual([
      'missing signature header X-Hub-Signature',
      'signature in X-Hub-Signature does not match the body',
    ]);
    expect(f.logs.text()).not.toContain(SECRET);
  });

  it('skips event keys not in events, and accepts unsigned deliveries without webhookSecret (as Argo Events)', async () => {
    const f = await bitbucket({ webhookSecret: undefined });
    const pr = await deliver(f.url, 'pullrequest:created', { pullrequest: {} }, { secret: null });
    expect(pr.json).toMatchObject({
      published: false,
      reason: 'event "pullrequest:created" is not in events',
    });
    expect((await deliver(f.url, 'repo:push', push, { secret: null })).status).toBe(200);
    await waitFor(() => f.events[0]);
    await staysTrue(() => f.events.length === 1, { forMs: 200, message: 'only the push stored' });
  });

  it('creates the repository hook with basic auth and the secret, and deletes it with deleteHookOnFinish', async () => {
    const f = await bitbucket({
      webhook: { url: 'https://hooks.example.com', endpoint: '/push' },
      deleteHookOnFinish: true,
    });
    const hooks = () => git.api.hooks.get('/2.0/repositories/team/app/hooks') ?? [];
    await waitFor(() => hooks().length === 1);
    expect(hooks()[0]).toMatchObject({
      uuid: '{1}',
      url: 'https://hooks.example.com/push',
      active: true,
      events: ['repo:push'],
      secret: SECRET,
    });
    await f.close();
    expect(git.api.writes()).toEqual([
      'POST /2.0/repositories/team/app/hooks',
      'DELETE /2.0/repositories/team/app/hooks/%7B1%7D',
    ]);
    expect(hooks()).toEqual([]);
  });
});
