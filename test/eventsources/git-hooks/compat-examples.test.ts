import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { Metrics } from '../../../core/metrics.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import type { EventSource } from '../../../crds/index.ts';
import {
  type CloudEvent,
  createMemoryBus,
  type EventBus,
  type Subscription,
} from '../../../eventbus/index.ts';
import { sources } from '../../../eventsources/all-sources.ts';
import { createBitbucketSource } from '../../../eventsources/bitbucket/index.ts';
import { type EventSourceHandle, runEventSource } from '../../../eventsources/index.ts';
import { ARGO_COMPAT_DIR } from '../../support/paths.ts';
import { freePort } from '../../support/ports.ts';
import { waitFor } from '../../support/wait.ts';
import { eventSourceFrom } from '../bus-fixture.ts';
import { send } from '../http-client.ts';
import { type Flavor, startFakeProviderApi } from './fake-provider-api.ts';
import { sign } from './git-fixture.ts';

/**
 * Argo Events' Git provider examples, run unchanged except for what names the outside world: their
 * fixed ports (free ones here), and the provider's API (a local server answering like it). Each
 * one starts, manages its hooks, and stores a delivery signed as the provider signs it.
 */
const SECRETS = {
  IMPULSE_SECRET_GITHUB_ACCESS_TOKEN: 'gh-token',
  IMPULSE_SECRET_GITHUB_ACCESS_SECRET: 'gh-secret',
  IMPULSE_SECRET_GITLAB_ACCESS_TOKEN: 'gl-access',
  IMPULSE_SECRET_GITLAB_SECRET_TOKEN: 'gl-secret',
  IMPULSE_SECRET_BITBUCKET_ACCESS_USERNAME: 'robot',
  IMPULSE_SECRET_BITBUCKET_ACCESS_PASSWORD: 'app-password',
  IMPULSE_SECRET_BITBUCKETSERVER_ACCESS_TOKEN: 'bbs-token',
  IMPULSE_SECRET_BITBUCKETSERVER_ACCESS_SECRET: 'bbs-secret',
};
const AUTH: Record<Flavor, string> = {
  github: 'Bearer gh-token',
  gitlab: 'gl-access',
  bitbucket: `Basic ${Buffer.from('robot:app-password').toString('base64')}`,
  bitbucketserver: 'Bearer bbs-token',
  gitea: '',
};

let bus: EventBus & AsyncDisposable;
let reader: Subscription;
const events: CloudEvent[] = [];
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  bus = createMemoryBus({ name: 'compat' });
  reader = await bus.subscribe({ durable: 'reader', filterSubject: 'compat.>' });
  void (async () => {
    for await (const m of reader) {
      events.push(m.event);
      await m.ack();
    }
  })().catch(() => undefined);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await reader.close();
  await bus.close();
});

/** Loads an example, gives its ports free ones and its API the fake's URL, and runs it. */
async function run(file: string, flavor: Flavor) {
  const api = await startFakeProviderApi({
    flavor,
    authorized: (h) => (flavor === 'gitlab' ? h['private-token'] : h.authorization) === AUTH[flavor],
  });
  cleanups.push(() => api.close());
  const object = eventSourceFrom(await readFile(join(ARGO_COMPAT_DIR, file), 'utf8'));
  const ports = new Map<string, string>();
  const configs = Object.values(
    (object.spec as Record<string, Record<string, Record<string, unknown>>>)[flavor]!,
  );
  for (const config of configs) {
    const webhook = config.webhook as { port: string };
    if (!ports.has(webhook.port)) ports.set(webhook.port, String(await freePort()));
    webhook.port = ports.get(webhook.port)!;
    if (flavor === 'github' && config.apiToken) {
      config.githubBaseURL = `${api.url}/api/v3/`;
      config.githubUploadURL = `${api.url}/api/uploads/`;
    }
    if (flavor === 'gitlab') config.gitlabBaseURL = api.url;
    if (flavor === 'bitbucketserver') config.bitbucketserverBaseURL = `${api.url}/rest`;
  }
  const logs: string[] = [];
  const handle: EventSourceHandle = await runEventSource(object as EventSource, {
    bus,
    logger: createLogger({ level: 'info', destination: { write: (line: string) => logs.push(line) } }),
    metrics: new Metrics(),
    secrets: createSecretResolver({ env: SECRETS }),
    host: '127.0.0.1',
    leases: false,
    registry: {
      ...sources,
      bitbucket: (init) => createBitbucketSource(init, { apiBaseUrl: `${api.url}/2.0/` }),
    },
  });
  cleanups.push(() => handle.close());
  const url = (event: string) => {
    const { port, endpoint } = (
      object.spec as Record<string, Record<string, { webhook: { port: string; endpoint: string } }>>
    )[flavor]![event]!.webhook;
    return `http://127.0.0.1:${port}${endpoint}`;
  };
  return { api, url, logs, name: object.metadata.name! };
}

const stored = (source: string, subject: string, id: string) =>
  waitFor(() => events.find((e) => e.source === source && e.subject === subject && e.id === id), {
    message: `${source}/${subject}/${id} stored`,
  });

describe("Argo Events' Git provider examples", () => {
  it('github.yaml: both events run; the one with apiToken hooks both repositories', async () => {
    const { api, url } = await run('event-sources/github.yaml', 'github');
    await waitFor(() => api.writes().length === 2, { message: 'two repository hooks' });
    expect(api.writes()).toEqual([
      'POST /api/v3/repos/argoproj/argo-events/hooks',
      'POST /api/v3/repos/argoproj/argo-workflows/hooks',
    ]);
    for (const event of ['example', 'example-without-api-credentials']) {
      const body = JSON.stringify({ ref: 'refs/heads/main' });
      const delivery = randomUUID();
      const answer = await send(url(event), {
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': delivery,
          'x-hub-signature-256': sign('gh-secret', body),
        },
        body,
      });
      expect(answer.status).toBe(200);
      await stored('github', event, delivery);
    }
    // The second event has webhookSecret: a wrong signature is refused.
    const wrong = await send(url('example-without-api-credentials'), {
      headers: {
        'x-github-event': 'push',
        'x-hub-signature-256': sign('nope', '{}'),
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(wrong.status).toBe(403);
  });

  it('gitlab.yaml: the project and the group example run, hooks created, tokens checked', async () => {
    const { api, url } = await run('event-sources/gitlab.yaml', 'gitlab');
    await waitFor(() => api.writes().length === 3, { message: 'two project hooks and a group hook' });
    expect(api.writes().sort()).toEqual([
      'POST /api/v4/groups/my-group/hooks',
      'POST /api/v4/projects/3/hooks',
      'POST /api/v4/projects/whynowy%2Ftest/hooks',
    ]);
    for (const [event, kind] of [
      ['example', 'Push Hook'],
      ['group-example', 'Emoji Hook'],
    ] as const) {
      const uuid = randomUUID();
      const answer = await send(url(event), {
        headers: { 'x-gitlab-event': kind, 'x-gitlab-event-uuid': uuid, 'x-gitlab-token': 'gl-secret' },
        body: '{"object_kind":"push"}',
      });
      expect(answer.status).toBe(200);
      await stored('gitlab', event, uuid);
    }
  });

  it('bitbucket.yaml: runs with basic auth, hooks both repositories', async () => {
    const { api, url } = await run('event-sources/bitbucket.yaml', 'bitbucket');
    await waitFor(() => api.writes().length === 2, { message: 'two repository hooks' });
    const id = randomUUID();
    const answer = await send(url('example'), {
      headers: { 'x-event-key': 'repo:push', 'x-request-uuid': id, 'content-type': 'application/json' },
      body: '{"push":{"changes":[]}}',
    });
    expect(answer.status).toBe(200);
    await stored('bitbucket', 'example', id);
  });

  it('bitbucketserver.yaml: runs, hooks both repositories with the secret, verifies the signature', async () => {
    const { api, url } = await run('event-sources/bitbucketserver.yaml', 'bitbucketserver');
    await waitFor(() => api.writes().length === 2, { message: 'two repository hooks' });
    expect(
      api.hooks.get('/rest/api/1.0/projects/PROJECTKEY1/repos/name-of-repository1/webhooks')?.[0],
    ).toMatchObject({
      events: ['repo:refs_changed'],
      configuration: { secret: 'bbs-secret' },
    });
    const id = randomUUID();
    const body = '{"eventKey":"repo:refs_changed","changes":[]}';
    const answer = await send(url('example'), {
      headers: {
        'x-event-key': 'repo:refs_changed',
        'x-request-id': id,
        'x-hub-signature': sign('bbs-secret', body),
      },
      body,
    });
    expect(answer.status).toBe(200);
    await stored('bitbucketserver', 'example', id);
  });
});
