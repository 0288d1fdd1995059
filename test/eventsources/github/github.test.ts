import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GitPayload } from '../../../eventsources/git-hooks/payload.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { type GitFixture, sign } from '../git-hooks/git-fixture.ts';
import { postDelivery, providerTests } from '../git-hooks/provider-tests.ts';
import { send } from '../http-client.ts';
import { busDouble, unavailable } from '../webhook-fixture.ts';
import { githubExample, pushToMaster } from './octokit-examples.ts';

const SECRET = 'gh-hook-secret-3f9a';
const env = { IMPULSE_SECRET_GITHUB_ACCESS_SECRET: SECRET };
const git = providerTests({
  type: 'github',
  env,
  config: () => ({
    repositories: [{ owner: 'Codertocat', names: ['Hello-World'] }],
    webhookSecret: { name: 'github-access', key: 'secret' },
    events: ['*'],
  }),
});
const github = git.start;

/** Posts a delivery as GitHub sends it: its event and delivery headers, signed with `secret`. */
function deliver(
  url: string,
  event: string,
  payload: unknown,
  options: {
    delivery?: string;
    secret?: string;
    form?: boolean;
    sha1Only?: boolean;
    unsigned?: boolean;
  } = {},
) {
  return postDelivery(url, payload, {
    headers: {
      'x-github-event': event,
      'x-github-delivery': options.delivery ?? randomUUID(),
      'user-agent': 'GitHub-Hookshot/abc123',
    },
    secret: options.unsigned ? null : (options.secret ?? SECRET),
    signing: [
      { header: 'x-hub-signature', algorithm: 'sha1' },
      ...(options.sha1Only ? [] : [{ header: 'x-hub-signature-256' }]),
    ],
    form: options.form,
  });
}

const dataOf = (f: GitFixture, i = 0) => f.events[i]?.data as GitPayload & { body: Record<string, unknown> };

describe('github source: signed deliveries', () => {
  it('stores a push with Argo’s payload: headers, the body with the two GitHub headers copied in', async () => {
    const f = await github({ metadata: { team: 'platform' } });
    const delivery = randomUUID();
    const answer = await deliver(f.url, 'push', pushToMaster(), { delivery });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ id: delivery });
    const event = await waitFor(() => f.events[0]);
    expect(event).toMatchObject({ id: delivery, type: 'github', source: f.name, subject: 'push' });
    const data = dataOf(f);
    expect(data.body.ref).toBe('refs/heads/master');
    expect(data.body['X-GitHub-Event']).toBe('push');
    expect(data.body['X-GitHub-Delivery']).toBe(delivery);
    expect(data.headers['X-Github-Event']).toEqual(['push']);
    expect(data.headers['X-Github-Delivery']).toEqual([delivery]);
    expect(data.headers['X-Hub-Signature-256']?.[0]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(data.metadata).toEqual({ team: 'platform' });
    expect(Object.keys(data)).toEqual(['headers', 'body', 'metadata']);
  });

  it('reads a form-encoded delivery (contentType: form) from its payload field, verified over the raw form', async () => {
    const f = await github({ contentType: 'form' });
    const release = githubExample('release', (p) => p.action === 'published');
    const answer = await deliver(f.url, 'release', release, { form: true });
    expect(answer.status).toBe(200);
    await waitFor(() => f.events[0]);
    expect(dataOf(f).body.action).toBe('published');
    expect(dataOf(f).body.release).toEqual(release.release);
  });

  it('accepts the SHA-1 X-Hub-Signature when it is the only one sent', async () => {
    const f = await github();
    const answer = await deliver(f.url, 'push', pushToMaster(), { sha1Only: true });
    expect(answer.status).toBe(200);
    await waitFor(() => f.events[0]);
  });

  it('answers 200 to a ping and to an event not in events, and publishes neither', async () => {
    const f = await github({ events: ['push'] });
    const ping = await deliver(f.url, 'ping', githubExample('ping'));
    expect(ping.status).toBe(200);
    expect(ping.json).toMatchObject({ published: false, reason: 'a ping is not published' });
    const pr = await deliver(f.url, 'pull_request', githubExample('pull_request'));
    expect(pr.status).toBe(200);
    expect(pr.json).toMatchObject({ published: false, reason: 'event "pull_request" is not in events' });
    const push = await deliver(f.url, 'push', pushToMaster());
    expect(push.status).toBe(200);
    await waitFor(() => f.events[0]);
    await staysTrue(() => f.events.length === 1, { forMs: 200, message: 'only the push stored' });
    expect(f.events[0]!.subject).toBe('push');
  });
});

describe('github source: refusals', () => {
  it('refuses 401 without a signature, 403 with a wrong one, publishes nothing and never logs the secret', async () => {
    const f = await github();
    const unsigned = await deliver(f.url, 'push', pushToMaster(), { unsigned: true });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error).toMatch(/missing signature header X-Hub-Signature-256/);
    const wrong = await deliver(f.url, 'push', pushToMaster(), { secret: 'not-the-secret' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toBe('signature in X-Hub-Signature-256 does not match the body');
    const wrongSha1 = await deliver(f.url, 'push', pushToMaster(), { secret: 'nope', sha1Only: true });
    expect(wrongSha1.status).toBe(403);
    // A body changed after signing: the signature of the original does not cover it.
    const tampered = await send(f.url, {
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': sign(SECRET, '{"ref":"refs/heads/master"}'),
      },
      body: '{"ref":"refs/heads/evil"}',
    });
    expect(tampered.status).toBe(403);
    const garbage = await deliver(f.url, 'push', pushToMaster(), { unsigned: true });
    expect(garbage.status).toBe(401);

    const refusals = f.logs.lines.filter((l) => l.msg === 'delivery refused');
    expect(refusals.map((l) => l.status)).toEqual([401, 403, 403, 403, 401]);
    expect(refusals.every((l) => typeof l.reason === 'string' && l.reason !== '')).toBe(true);
    expect(f.logs.text()).not.toContain(SECRET);
    expect(
      await f.metrics.registry.getSingleMetricAsString('argo_events_events_processing_failed_total'),
    ).toContain(' 5');
    await staysTrue(() => f.events.length === 0, { forMs: 200, message: 'nothing stored' });
  });

  it('answers 400 to a signed body that is not JSON, 413 over maxPayloadSize, 503 while the bus is away', async () => {
    const double = busDouble(git.bus);
    const f = await github({ webhook: { maxPayloadSize: 2048 } }, double);
    const notJson = await send(f.url, {
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': sign(SECRET, '{nope'),
      },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/not valid JSON/);
    const big = await deliver(f.url, 'push', pushToMaster());
    expect(big.status).toBe(413);
    double.publishWith(unavailable);
    const away = await deliver(f.url, 'push', { ref: 'refs/heads/master' });
    expect(away.status).toBe(503);
    expect(away.headers['retry-after']).toBe('5');
  });

  it('without webhookSecret accepts unsigned deliveries, as Argo Events does', async () => {
    const f = await github({ webhookSecret: undefined });
    const answer = await deliver(f.url, 'push', pushToMaster(), { unsigned: true });
    expect(answer.status).toBe(200);
    await waitFor(() => f.events[0]);
  });
});
