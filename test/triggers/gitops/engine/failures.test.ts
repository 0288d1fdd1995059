import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../../core/errors.ts';
import { KubeRest } from '../../../../core/kube/rest.ts';
import { silentLogger } from '../../../../core/logger.ts';
import { acquireAppLease } from '../../../../triggers/gitops/engine/lease.ts';
import { EMULATOR_ANNOTATIONS, startKubeEmulator } from '../../../support/kube-emulator/index.ts';
import { makeKubeConfig } from '../../../support/kube-emulator/kubeconfig.ts';
import { startTcpProxy } from '../../../support/tcp-proxy.ts';
import { uniqueName } from '../../../support/unique.ts';
import { staysTrue, waitFor } from '../../../support/wait.ts';
import { configMapYaml, deploymentYaml, engineFixture, jobYaml } from './fixture.ts';

/**
 * An HTTP proxy in front of a plain-HTTP emulator that answers 503 to the first real (not dry-run)
 * PATCH whose path ends with `/<name>`, and forwards everything else.
 */
async function flakyProxy(name: string) {
  let target = 0;
  let refused = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (
      refused === 0 &&
      req.method === 'PATCH' &&
      url.pathname.endsWith(`/${name}`) &&
      url.searchParams.get('dryRun') === null
    ) {
      refused++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'ServiceUnavailable',
          message: 'the server is currently unable to handle the request',
          code: 503,
        }),
      );
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwardTo(port: number) {
      target = port;
    },
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('gitops engine: transient failures and the Lease', () => {
  it('an apply answered 503 ends the sync with retryable true, and the next sync succeeds', async () => {
    const token = randomBytes(16).toString('hex');
    const proxy = await flakyProxy('web');
    try {
      await using f = await engineFixture({
        emulator: { tls: false, token },
        engine: { kubeConfig: makeKubeConfig({ server: proxy.url, token, caPem: undefined }) },
      });
      proxy.forwardTo(f.emulator.port);
      f.repo.commit({ 'app/web.yaml': deploymentYaml('web'), 'app/cm.yaml': configMapYaml('settings') });

      const { result } = await f.sync();

      expect(proxy.refused).toBe(1);
      expect(result.phase).toBe('Failed');
      expect(result.retryable).toBe(true);
      expect(result.resources.find((r) => r.name === 'web')).toMatchObject({ status: 'SyncFailed' });
      expect(result.resources.find((r) => r.name === 'web')?.message).toMatch(/503/);
      expect((await f.engine.lastResult(f.app()))?.retryable).toBe(true);

      const again = await f.sync();
      expect(again.result.phase).toBe('Succeeded');
      expect(again.result.retryable).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it('a failing PreSync Job and a refused apply end with retryable falsy', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/migrate.yaml': jobYaml('migrate', {
        'argocd.argoproj.io/hook': 'PreSync',
        [EMULATOR_ANNOTATIONS.fail]: 'true',
      }),
      'app/web.yaml': deploymentYaml('web'),
    });
    const hookFailed = (await f.sync()).result;
    expect(hookFailed.phase).toBe('Failed');
    expect(hookFailed.message).toMatch(/migrate/);
    expect(hookFailed.retryable).toBeFalsy();

    // 422: a Deployment without its selector is refused by validation.
    f.repo.commit({
      'app/migrate.yaml': null,
      'app/web.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n',
    });
    const refused = (await f.sync()).result;
    expect(refused.phase).toBe('Failed');
    expect(refused.resources.find((r) => r.name === 'web')).toMatchObject({ status: 'SyncFailed' });
    expect(refused.retryable).toBeFalsy();
  });

  it('a held Lease whose renewals fail aborts its signal within 2/3 of its duration', async () => {
    const emulator = await startKubeEmulator({ namespaces: [] });
    const proxy = await startTcpProxy({ port: emulator.port });
    const kc = makeKubeConfig({
      server: `https://127.0.0.1:${proxy.port}`,
      token: emulator.token,
      caPem: emulator.caPem,
    });
    const client = new KubeRest(kc, { timeoutMs: 5000 });
    const durationSeconds = 3;
    try {
      const lease = await acquireAppLease(client, {
        namespace: 'default',
        app: uniqueName('app'),
        logger: silentLogger(),
        durationSeconds,
      });
      // Renewals that succeed keep it past its duration.
      await staysTrue(() => !lease.signal.aborted, {
        forMs: durationSeconds * 1000 + 500,
        message: 'lease held',
      });

      proxy.cut();
      const cutAt = performance.now();
      await waitFor(() => lease.signal.aborted, {
        timeoutMs: durationSeconds * 1000,
        message: 'lease signal',
      });
      const elapsed = performance.now() - cutAt;
      // The last renewal that succeeded was sent before the cut: the abort comes at most 2/3 of the
      // duration after it (plus timer and poll lateness on a busy machine).
      expect(elapsed).toBeLessThanOrEqual((durationSeconds * 2000) / 3 + 300);
      const reason = lease.signal.reason as unknown;
      expect(isImpulseError(reason) && reason.code).toBe('TRANSIENT');
      expect((reason as Error).message).toMatch(/no renewal succeeded for 2 s \(2\/3 of its 3 s duration\)/);
      await lease.close();
    } finally {
      await client.close();
      await proxy.close();
      await emulator.close();
    }
  });
});
