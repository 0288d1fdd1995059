import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { apiError, rawRequest, startTestEmulator } from './fixture.ts';

interface KubeconfigDoc {
  clusters: { cluster: Record<string, unknown> }[];
  users: { user: { token?: string } }[];
}

/** The emulator's kubeconfig, edited, loaded the way product code loads one. */
function editedConfig(emulator: KubeEmulator, edit: (doc: KubeconfigDoc) => void): CoreV1Api {
  const doc = parse(emulator.kubeconfigYaml()) as KubeconfigDoc;
  edit(doc);
  const kc = new KubeConfig();
  kc.loadFromString(stringify(doc));
  return kc.makeApiClient(CoreV1Api);
}

describe('kube-emulator: HTTPS and bearer tokens', () => {
  let emulator: KubeEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
  });
  afterAll(() => emulator.close());

  it('serves HTTPS with a certificate that the kubeconfig trusts', async () => {
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const doc = parse(emulator.kubeconfigYaml()) as KubeconfigDoc;
    expect(doc.clusters[0]?.cluster['certificate-authority-data']).toBeTypeOf('string');
    const list = await emulator.kubeConfig().makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toContain('default');
  });

  it('answers 401 Unauthorized without the right token', async () => {
    const wrong = editedConfig(emulator, (doc) => {
      doc.users[0]!.user.token = 'not-the-token';
    });
    const { code } = await apiError(wrong.listNamespace());
    expect(code).toBe(401);
    const bare = await rawRequest(emulator, 'GET', '/api/v1/namespaces', { token: null });
    expect(bare.status).toBe(401);
    expect(bare.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await rawRequest(emulator, 'GET', '/healthz', { token: null })).text).toBe('ok');
  });

  it('is refused by a client that does not trust its certificate, and reached with insecure-skip-tls-verify', async () => {
    const untrusting = editedConfig(emulator, (doc) => {
      delete doc.clusters[0]!.cluster['certificate-authority-data'];
    });
    const failure = await untrusting.listNamespace().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ApiException);
    const insecure = editedConfig(emulator, (doc) => {
      delete doc.clusters[0]!.cluster['certificate-authority-data'];
      doc.clusters[0]!.cluster['insecure-skip-tls-verify'] = true;
    });
    expect((await insecure.listNamespace()).items.length).toBeGreaterThan(0);
  });

  it('writes a kubeconfig file that KubeConfig.loadFromFile reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-emulator-test-'));
    try {
      const file = join(dir, 'kubeconfig');
      await emulator.writeKubeconfig(file, { namespace: 'kube-system' });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const kc = new KubeConfig();
      kc.loadFromFile(file);
      expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('kube-system');
      expect((await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' })).metadata?.name).toBe(
        'kube-system',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves plain HTTP when TLS is turned off (clients then need insecure-skip-tls-verify)', async () => {
    await using plain = await startTestEmulator({ tls: false, controllers: false, token: 'fixed-token' });
    expect(plain.url).toMatch(/^http:\/\//);
    expect(plain.token).toBe('fixed-token');
    expect(plain.caPem).toBeUndefined();
    const list = await plain.kubeConfig().makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.length).toBeGreaterThan(0);
  });
});
