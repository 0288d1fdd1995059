import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../core/errors.ts';
import { kubeError, loadKubeConfig } from '../../core/kube.ts';
import { type KubeEmulator, startKubeEmulator } from '../support/kube-emulator/index.ts';

describe('core/kube', () => {
  let emulator: KubeEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startKubeEmulator({ controllers: false });
    dir = await mkdtemp(join(tmpdir(), 'impulse-kube-'));
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a kubeconfig file and reaches the API server it names', async () => {
    const file = join(dir, 'config');
    await emulator.writeKubeconfig(file);
    const kc = await loadKubeConfig({ file });
    const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
    expect(ns.metadata?.name).toBe('default');
  });

  it('names the file when it cannot be loaded', async () => {
    const file = join(dir, 'missing');
    await expect(loadKubeConfig({ file })).rejects.toThrow(`cannot load kubeconfig ${file}`);
  });

  it('classifies API answers as permanent or transient', async () => {
    const file = join(dir, 'config2');
    await emulator.writeKubeconfig(file);
    const api = (await loadKubeConfig({ file })).makeApiClient(CoreV1Api);
    const notFound = await api
      .readNamespacedConfigMap({ name: 'nope', namespace: 'default' })
      .catch((e: unknown) => e);
    const err = kubeError(notFound, 'read ConfigMap default/nope');
    expect(err).toBeInstanceOf(ImpulseError);
    expect(err.code).toBe('PERMANENT');
    expect(err.message).toMatch(/^read ConfigMap default\/nope: 404 NotFound: /);

    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'stale' } } });
    const stale = await api
      .replaceNamespacedConfigMap({
        name: 'stale',
        namespace: 'default',
        body: { metadata: { name: 'stale', resourceVersion: '1' }, data: { a: 'b' } },
      })
      .catch((e: unknown) => e);
    expect(kubeError(stale, 'update').code).toBe('TRANSIENT');
  });

  it('calls an unreachable server transient', async () => {
    const down = await startKubeEmulator({ controllers: false });
    const downFile = join(dir, 'down');
    await down.writeKubeconfig(downFile);
    await down.close();
    const api = (await loadKubeConfig({ file: downFile })).makeApiClient(CoreV1Api);
    const refused = await api.readNamespace({ name: 'default' }).catch((e: unknown) => e);
    const err = kubeError(refused, 'read Namespace default');
    expect(err.code).toBe('TRANSIENT');
    expect(err.message).toContain('read Namespace default: ');
  });
});
