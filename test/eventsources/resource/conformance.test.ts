import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll } from 'vitest';
import { createResourceSource } from '../../../eventsources/resource/index.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { freePort } from '../../support/ports.ts';
import { type MakeSource, runSourceConformance } from '../conformance.ts';
import { sourceInit } from '../source-fixture.ts';

let emulator: Promise<KubeEmulator> | undefined;
const shared = () => {
  emulator ??= startKubeEmulator({ controllers: false });
  return emulator;
};
afterAll(async () => {
  await (await emulator)?.close();
});

const harness: MakeSource = async (kind, options = {}) => {
  if (kind === 'broken') {
    // A kubeconfig for an API server that is not there.
    const port = await freePort();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'not-shown-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const driver = createResourceSource(
      sourceInit('resource', { version: 'v1', resource: 'configmaps', eventTypes: ['ADD'] }),
      { kubeConfig: async () => kc },
    );
    return {
      start: (ctx) => driver.start(ctx),
      produce: async () => undefined,
      expectedStartupError: new RegExp(
        `spec\\.resource\\.example: Kubernetes API at https://127\\.0\\.0\\.1:${port}`,
      ),
      secret: 'not-shown-token',
    };
  }
  const emu = await shared();
  const core = emu.kubeConfig().makeApiClient(CoreV1Api);
  const namespace = `c-${options.group ?? randomUUID().slice(0, 8)}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch(() => undefined);
  const driver = createResourceSource(
    sourceInit(
      'resource',
      { namespace, version: 'v1', resource: 'configmaps', eventTypes: ['ADD'] },
      { services: options.leases ? { leases: options.leases } : {} },
    ),
    { kubeConfig: async () => emu.kubeConfig() },
  );
  return {
    start: (ctx) => driver.start(ctx),
    produce: async () => {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: `cm-${randomUUID().slice(0, 8)}` } },
      });
    },
  };
};

runSourceConformance('resource', harness, { lease: true });
