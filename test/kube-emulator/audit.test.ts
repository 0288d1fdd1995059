import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, KubeEmulator } from '../support/kube-emulator/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { waitFor, within } from '../support/wait.ts';
import { asPatch, clients, rawRequest, startTestEmulator } from './fixture.ts';

describe('kube-emulator: audit log and standalone entry', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
    api = clients(emulator);
  });
  afterAll(() => emulator.close());

  it('lists every client write in order at GET /emulator/audit', async () => {
    const namespace = 'default';
    const created = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'audited' } },
    });
    await api.core.replaceNamespacedConfigMap({
      namespace,
      name: 'audited',
      body: { ...created, data: { a: '1' } },
    });
    await api.core.patchNamespacedConfigMap(
      { namespace, name: 'audited', body: { data: { b: '2' } } },
      asPatch.merge,
    );
    await api.core.patchNamespacedConfigMap(
      {
        namespace,
        name: 'audited',
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited' }, data: { c: '3' } },
        fieldManager: 'tool',
      },
      asPatch.apply,
    );
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    await api.core.deleteNamespacedConfigMap({ namespace, name: 'audited' });
    await api.core.createNamespace({ body: { metadata: { name: 'audited-ns' } } });

    const res = await rawRequest(emulator, 'GET', '/emulator/audit');
    expect(res.status).toBe(200);
    const entries = res.json as AuditEntry[];
    expect(entries.map((e) => `${e.verb} ${e.kind}/${e.name}${e.dryRun ? ' (dry run)' : ''}`)).toEqual([
      'create ConfigMap/audited',
      'update ConfigMap/audited',
      'patch ConfigMap/audited',
      'apply ConfigMap/audited',
      'create ConfigMap/dry (dry run)',
      'delete ConfigMap/audited',
      'create Namespace/audited-ns',
    ]);
    expect(entries[0]).toEqual({
      verb: 'create',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'audited',
      resourceVersion: created.metadata?.resourceVersion,
      dryRun: false,
    });
    expect(entries[6]?.namespace).toBeNull();
    const versions = entries.filter((e) => !e.dryRun).map((e) => Number(e.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(emulator.audit()).toEqual(entries);
  });

  it('runs standalone and writes a kubeconfig (npm run kube-emulator -- --port N --kubeconfig FILE)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-emulator-main-'));
    const file = join(dir, 'kubeconfig');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/kube-emulator/main.ts', '--port', '0', '--kubeconfig', file],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => access(file).then(() => true), {
        timeoutMs: 15_000,
        message: `the kubeconfig (output: ${output})`,
      });
      const kc = new KubeConfig();
      kc.loadFromFile(file);
      expect(kc.getCurrentCluster()?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');
      expect(output).toContain('kubeconfig written to');
      child.kill('SIGTERM');
      expect(await within(exited, 5000, 'the emulator to exit')).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
