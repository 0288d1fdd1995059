import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import { createJetStreamBus, createMemoryBus, type EventBus } from '../../../eventbus/index.ts';
import { busLeases } from '../../../eventsources/index.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { send } from '../http-client.ts';
import { type FakeProviderApi, startFakeProviderApi } from './fake-provider-api.ts';
import { type GitFixture, sign, startGitSource } from './git-fixture.ts';

const TOKEN = 'ghp_token_6b1d';
const SECRET = 'hook-secret-81c2';
const env = { IMPULSE_SECRET_GH_TOKEN: TOKEN, IMPULSE_SECRET_GH_SECRET: SECRET };
const fixtures: GitFixture[] = [];
let api: FakeProviderApi;
let bus: EventBus & AsyncDisposable;

beforeEach(async () => {
  api = await startFakeProviderApi({
    flavor: 'github',
    authorized: (h) => h.authorization === `Bearer ${TOKEN}`,
  });
  bus = createMemoryBus({ name: 'test' });
});
afterEach(async () => {
  await Promise.allSettled(fixtures.splice(0).map((f) => f.close()));
  await bus.close();
  await api.close();
});

const manifest = (extra: Record<string, unknown> = {}) => ({
  repositories: [{ owner: 'argoproj', names: ['argo-events', 'argo-workflows'] }],
  organizations: undefined,
  webhook: { url: 'https://hooks.example.com/', endpoint: '/push' },
  events: ['push', 'pull_request'],
  apiToken: { name: 'gh', key: 'token' },
  webhookSecret: { name: 'gh', key: 'secret' },
  githubBaseURL: `${api.url}/api/v3/`,
  githubUploadURL: `${api.url}/api/uploads/`,
  contentType: 'json',
  insecure: false,
  ...extra,
});

async function github(
  extra: Record<string, unknown> = {},
  options: Partial<Parameters<typeof startGitSource>[0]> = {},
) {
  const f = await startGitSource({ bus, type: 'github', config: manifest(extra), env, ...options });
  fixtures.push(f);
  return f;
}

const repoHooks = (name: string) => api.hooks.get(`/api/v3/repos/argoproj/${name}/hooks`) ?? [];

describe('github hook management', () => {
  it('creates one hook per repository with the url, events, secret and content type', async () => {
    await github();
    await waitFor(() => repoHooks('argo-events').length === 1 && repoHooks('argo-workflows').length === 1, {
      message: 'both hooks created',
    });
    expect(repoHooks('argo-events')[0]).toEqual({
      id: expect.any(Number),
      name: 'web',
      active: true,
      events: ['push', 'pull_request'],
      config: {
        url: 'https://hooks.example.com/push',
        insecure_ssl: '0',
        content_type: 'json',
        secret: SECRET,
      },
    });
  });

  it('updates the hook it finds by URL instead of adding another, and deletes it at the end with deleteHookOnFinish', async () => {
    api.hooks.set('/api/v3/repos/argoproj/argo-events/hooks', [
      {
        id: 7,
        name: 'web',
        active: true,
        events: ['push'],
        config: { url: 'https://hooks.example.com/push' },
      },
      {
        id: 8,
        name: 'web',
        active: true,
        events: ['issues'],
        config: { url: 'https://elsewhere.example.com/' },
      },
    ]);
    const f = await github({
      repositories: [{ owner: 'argoproj', names: ['argo-events'] }],
      deleteHookOnFinish: true,
    });
    await waitFor(() => api.writes().length === 1, { message: 'the hook updated' });
    expect(api.writes()).toEqual(['PATCH /api/v3/repos/argoproj/argo-events/hooks/7']);
    expect(repoHooks('argo-events').map((h) => h.events)).toEqual([['push', 'pull_request'], ['issues']]);
    await f.close();
    expect(api.writes()).toEqual([
      'PATCH /api/v3/repos/argoproj/argo-events/hooks/7',
      'DELETE /api/v3/repos/argoproj/argo-events/hooks/7',
    ]);
    expect(repoHooks('argo-events').map((h) => h.id)).toEqual([8]);
  });

  it('keeps serving while the provider fails: retries with backoff and never logs the token', async () => {
    api.failNext(2, 502);
    const f = await github({ repositories: [{ owner: 'argoproj', names: ['argo-events'] }] });
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const answer = await send(f.url, {
      headers: {
        'x-github-event': 'push',
        'x-hub-signature-256': sign(SECRET, body),
        'content-type': 'application/json',
      },
      body,
    });
    expect(answer.status).toBe(200);
    await waitFor(() => repoHooks('argo-events').length === 1, {
      timeoutMs: 8000,
      message: 'the hook created after the failures',
    });
    const errors = f.logs.lines.filter((l) => l.msg === 'could not create or update the hooks');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({ code: 'TRANSIENT', retryInMs: 1000 });
    expect(String(errors[0]!.err)).toMatch(
      /GitHub API GET \/api\/v3\/repos\/argoproj\/argo-events\/hooks: HTTP 502/,
    );
    expect(f.logs.text()).not.toContain(TOKEN);
    expect(f.logs.text()).not.toContain(SECRET);
  });

  it('reports a token GitHub refuses as a permanent failure, naming the call', async () => {
    const f = await github({ apiToken: { name: 'gh', key: 'secret' } });
    await waitFor(() => f.logs.lines.some((l) => l.msg === 'could not create or update the hooks'));
    const error = f.logs.lines.find((l) => l.msg === 'could not create or update the hooks')!;
    expect(error.code).toBe('PERMANENT');
    expect(String(error.err)).toContain('HTTP 401: Bad credentials');
    expect(api.hooks.get('/api/v3/repos/argoproj/argo-events/hooks') ?? []).toEqual([]);
  });

  it('hooks organizations as a GitHub App installation, with an installation token bought with the App JWT', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const installationToken = 'ghs_installation_token';
    await api.close();
    api = await startFakeProviderApi({
      flavor: 'github',
      authorized: (h) => h.authorization === `Bearer ${installationToken}`,
      app: {
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        token: installationToken,
      },
    });
    await github(
      {
        apiToken: undefined,
        repositories: undefined,
        organizations: ['argoproj'],
        githubApp: { privateKey: { name: 'gh', key: 'pem' }, appID: 12, installationID: 34 },
        githubBaseURL: `${api.url}/api/v3/`,
        githubUploadURL: `${api.url}/api/uploads/`,
      },
      {
        env: {
          ...env,
          IMPULSE_SECRET_GH_PEM: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      },
    );
    await waitFor(() => (api.hooks.get('/api/v3/orgs/argoproj/hooks') ?? []).length === 1, {
      message: 'the organization hook created',
    });
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v3/app/installations/34/access_tokens',
    });
  });
});

describe('github hook management under the lease', () => {
  it('lets only the replica holding the lease manage hooks; the next one takes over when it stops', async () => {
    const busName = testBusName();
    const shared = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
    try {
      const name = `gh-${randomUUID().slice(0, 8)}`;
      const replica = (id: string) =>
        github(
          { repositories: [{ owner: 'argoproj', names: ['argo-events'] }], deleteHookOnFinish: true },
          { bus: shared, name, leases: busLeases(shared, silentLogger()), eventName: 'push' },
        ).then((f) => Object.assign(f, { id }));
      const first = await replica('first');
      await waitFor(() => repoHooks('argo-events').length === 1, {
        message: 'the first replica to create the hook',
      });
      const second = await replica('second');
      // Both serve deliveries, but the standby never touches the hooks.
      await staysTrue(() => api.writes().length === 1, {
        forMs: 2500,
        message: 'one write, by the lease holder',
      });
      expect(second.logs.lines.some((l) => l.msg === 'hook created' || l.msg === 'hook updated')).toBe(false);
      await first.close();
      // The holder deleted its hook before releasing the lease; the next holder puts it back.
      await waitFor(() => repoHooks('argo-events').length === 1 && api.writes().length === 3, {
        timeoutMs: 8000,
        message: 'the second replica to take over',
      });
      expect(api.writes().map((w) => w.split(' ')[0])).toEqual(['POST', 'DELETE', 'POST']);
      expect(second.logs.lines.some((l) => l.msg === 'hook created')).toBe(true);
    } finally {
      await Promise.allSettled(fixtures.splice(0).map((f) => f.close()));
      await shared.close();
      await removeBusTraces(busName);
    }
  });
});
