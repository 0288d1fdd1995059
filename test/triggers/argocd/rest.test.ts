import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImpulseError, isImpulseError } from '../../../core/errors.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import { type FakeArgoCd, startFakeArgoCd } from './fake-argocd.ts';
import { runArgoCd, seen, tokenRef } from './harness.ts';

let argocd: FakeArgoCd;
beforeEach(async () => {
  argocd = await startFakeArgoCd();
  argocd.apps.set('guestbook', { status: { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } } });
});
afterEach(() => argocd.close());

const rest = (extra: Record<string, unknown> = {}) => ({
  app: 'guestbook',
  server: argocd.url,
  token: tokenRef,
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<ImpulseError> {
  const err = await promise.then(
    () => new Error('the trigger succeeded'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImpulseError);
  return err as ImpulseError;
}

describe('argocd trigger, REST mode', () => {
  it('POSTs /api/v1/applications/{name}/sync with the bearer token and the sync fields', async () => {
    const { outcome, seen: s } = await runArgoCd(
      rest({
        namespace: 'team-a',
        revision: 'v1.2.3',
        prune: true,
        dryRun: false,
        strategy: 'apply',
        syncOptions: ['ServerSideApply=true'],
        resources: [{ group: 'apps', kind: 'Deployment', name: 'web', namespace: 'guestbook' }],
      }),
    );
    expect(outcome).toEqual({ status: 'succeeded', detail: { app: 'guestbook', revision: 'v1.2.3' } });
    expect(argocd.requests).toHaveLength(1);
    const [request] = argocd.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/api/v1/applications/guestbook/sync?appNamespace=team-a',
      authorization: 'Bearer argocd-test-token',
    });
    expect(request!.body).toEqual({
      name: 'guestbook',
      appNamespace: 'team-a',
      revision: 'v1.2.3',
      prune: true,
      dryRun: false,
      strategy: { apply: {} },
      syncOptions: { items: ['ServerSideApply=true'] },
      resources: [{ group: 'apps', kind: 'Deployment', name: 'web', namespace: 'guestbook' }],
    });
    expect(s.emitted).toEqual([
      { type: 'impulse.sync.started', data: { app: 'guestbook', revision: 'v1.2.3' } },
    ]);
  });

  it('waits out "another operation is already in progress" (409), then syncs once and reports the result', async () => {
    argocd.busy(2);
    const { outcome, seen: s } = await runArgoCd(rest({ wait: true }));
    const syncs = argocd.requests.filter((r) => r.method === 'POST');
    expect(syncs).toHaveLength(3);
    expect(s.working).toBeGreaterThan(0);
    expect(outcome).toEqual({
      status: 'succeeded',
      detail: {
        app: 'guestbook',
        revision: 'abc123',
        phase: 'Succeeded',
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        message: 'successfully synced (all tasks run)',
      },
    });
    expect(s.emitted.map((e) => e.type)).toEqual(['impulse.sync.started', 'impulse.sync.succeeded']);
    expect(s.emitted[1]!.data).toMatchObject({
      phase: 'Succeeded',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
    });
  });

  it('recognises the refusal by its message whatever the status (Argo CD answers FailedPrecondition as 400)', async () => {
    argocd.busy(1, 400);
    await runArgoCd(rest());
    expect(argocd.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('gives up with a TRANSIENT error when the other operation outlasts the timeout', async () => {
    argocd.busy(1000);
    const err = await failure(runArgoCd(rest({ timeout: '200ms' })));
    expect(err.code).toBe('TRANSIENT');
    expect(err.message).toMatch(/another operation is already in progress; still so after 0.2 s/);
  });

  it('fails permanently on 401 without showing the token, and on 404 naming the application', async () => {
    const wrong = createSecretResolver({ env: { IMPULSE_SECRET_ARGOCD_TOKEN: 'wrong-token-value' } });
    const unauthorized = await failure(runArgoCd(rest(), { secrets: wrong }));
    expect(unauthorized.code).toBe('PERMANENT');
    expect(unauthorized.message).toMatch(/401: the token was refused/);
    expect(unauthorized.message).not.toContain('wrong-token-value');

    const missing = await failure(runArgoCd(rest({ app: 'nope' })));
    expect(missing.code).toBe('PERMANENT');
    expect(missing.message).toMatch(/application nope: 404: no such application .*"nope" not found/);
  });

  it('fails permanently when the sync it waited for ends Failed, after emitting impulse.sync.failed', async () => {
    argocd.outcome = { phase: 'Failed', message: 'one or more objects failed to apply', afterMs: 50 };
    const s = seen();
    const err = await failure(runArgoCd(rest({ wait: true }), { seen: s }));
    expect(err.code).toBe('PERMANENT');
    expect(err.message).toMatch(/the sync ended Failed: one or more objects failed to apply/);
    expect(s.emitted.at(-1)).toMatchObject({
      type: 'impulse.sync.failed',
      data: { app: 'guestbook', phase: 'Failed', syncStatus: 'OutOfSync', healthStatus: 'Degraded' },
    });
  });

  it('takes the revision and the application from the event through parameters', async () => {
    argocd.apps.set('shop', { status: {} });
    const { outcome } = await runArgoCd(
      rest({
        parameters: [{ src: { dependencyName: 'push', dataKey: 'body.after' }, dest: 'revision' }],
      }),
      {
        data: { body: { after: 'f00d', app: 'shop' } },
        parameters: [{ src: { dependencyName: 'push', dataKey: 'body.app' }, dest: 'argocd.app' }],
      },
    );
    expect(outcome).toMatchObject({ detail: { app: 'shop', revision: 'f00d' } });
    expect(argocd.requests[0]).toMatchObject({
      path: '/api/v1/applications/shop/sync',
      body: { revision: 'f00d' },
    });
  });

  it('refuses a missing token secret when the sensor starts', async () => {
    try {
      await runArgoCd(rest(), { secrets: createSecretResolver({ env: {} }) });
      expect.unreachable();
    } catch (err) {
      expect(isImpulseError(err, 'SECRET_MISSING')).toBe(true);
      expect(argocd.requests).toHaveLength(0);
    }
  });
});
