import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GitPayload } from '../../../eventsources/git-hooks/payload.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { postDelivery, providerTests } from '../git-hooks/provider-tests.ts';

const SECRET = 'gitea-hook-secret';
const TOKEN = 'gitea-api-token';
const env = { IMPULSE_SECRET_GITEA_SECRET: SECRET, IMPULSE_SECRET_GITEA_TOKEN: TOKEN };
const git = providerTests({
  type: 'gitea',
  env,
  api: { flavor: 'gitea', authorized: (h) => h.authorization === `token ${TOKEN}` },
  config: () => ({
    repositories: [{ owner: 'ops', names: ['deploy'] }],
    events: ['push', 'issue_label'],
    webhookSecret: { name: 'gitea', key: 'secret' },
  }),
});
const gitea = git.start;

function deliver(
  url: string,
  event: string,
  body: unknown,
  options: { secret?: string | null; id?: string; type?: string; form?: boolean } = {},
) {
  return postDelivery(url, body, {
    headers: {
      'x-gitea-event': event,
      'x-gitea-event-type': options.type ?? event,
      'x-gitea-delivery': options.id ?? randomUUID(),
    },
    secret: options.secret === undefined ? SECRET : options.secret,
    signing: [{ header: 'x-gitea-signature', prefix: '' }],
    form: options.form,
  });
}

const push = {
  ref: 'refs/heads/main',
  after: '5a6f',
  repository: { clone_url: 'https://gitea.example.com/ops/deploy.git' },
};

describe('gitea source', () => {
  it('stores a signed push (json or form) under X-Gitea-Delivery; 401 unsigned, 403 wrongly signed', async () => {
    const f = await gitea();
    expect((await deliver(f.url, 'push', push, { secret: null })).status).toBe(401);
    const wrong = await deliver(f.url, 'push', push, { secret: 'guess' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toBe('signature in X-Gitea-Signature does not match the body');
    const id = randomUUID();
    expect((await deliver(f.url, 'push', push, { id })).json).toEqual({ id });
    expect((await deliver(f.url, 'push', push, { form: true })).status).toBe(200);
    await waitFor(() => f.events.length === 2);
    expect(f.events[0]).toMatchObject({ id, type: 'gitea' });
    expect(f.events.map((e) => (e.data as GitPayload).body)).toEqual([push, push]);
    expect(f.logs.text()).not.toContain(SECRET);
  });

  it('filters on X-Gitea-Event or X-Gitea-Event-Type', async () => {
    const f = await gitea();
    const label = await deliver(f.url, 'issues', { action: 'label_updated' }, { type: 'issue_label' });
    expect(label.status).toBe(200);
    const comment = await deliver(f.url, 'issue_comment', { action: 'created' });
    expect(comment.json).toMatchObject({
      published: false,
      reason: 'event "issue_comment" is not in events',
    });
    await waitFor(() => f.events[0]);
    await staysTrue(() => f.events.length === 1, { forMs: 200, message: 'only the label event stored' });
  });

  it('creates the repository hook with the API token, events, content type and secret', async () => {
    await gitea({
      apiToken: { name: 'gitea', key: 'token' },
      giteaBaseURL: `${git.api.url}/`,
      webhook: { url: 'https://hooks.example.com/', endpoint: '/push' },
    });
    const hooks = () => git.api.hooks.get('/api/v1/repos/ops/deploy/hooks') ?? [];
    await waitFor(() => hooks().length === 1);
    expect(hooks()[0]).toMatchObject({
      type: 'gitea',
      active: true,
      events: ['push', 'issue_label'],
      config: { url: 'https://hooks.example.com/push', content_type: 'json', secret: SECRET },
    });
  });
});
