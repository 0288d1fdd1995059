import { describe, expect, it } from 'vitest';
import { configMapYaml, deploymentYaml, engineFixture, jobYaml } from './fixture.ts';

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
const hook = (type: string, extra: Record<string, string> = {}) => ({
  'argocd.argoproj.io/hook': type,
  ...extra,
});

describe('gitops engine: sync order', () => {
  it('writes in phase, wave and kind-group order, with hooks in every phase and waves -1, 0, 2', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/pre.yaml': jobYaml('pre', hook('PreSync')),
      'app/early.yaml': `${configMapYaml('early', { a: '1' }, wave(-1))}---\n${configMapYaml('early-2', { a: '2' }, wave(-1))}`,
      'app/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  annotations:\n    argocd.argoproj.io/sync-wave: "-1"\nstringData:\n  token: abc\n`,
      'app/web.yaml': deploymentYaml('web'),
      'app/svc.json': JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      }),
      'app/sync-hook.yaml': jobYaml('during', hook('Sync')),
      'app/late.yaml': configMapYaml('late', { b: '1' }, wave(2)),
      'app/post.yaml': jobYaml('post', hook('PostSync')),
      'app/on-fail.yaml': jobYaml('on-fail', hook('SyncFail')),
      'other/ignored.yaml': configMapYaml('not-in-path'),
    });

    const { result, progress } = await f.sync();

    expect(result.message).toBe('successfully synced (all tasks run)');
    expect(result.phase).toBe('Succeeded');
    expect(result.revision).toBe(f.repo.git('rev-parse', 'HEAD'));
    // Each step in order; inside a step, one kind group after another; order inside a group is free.
    const writes = f.writes().map((w) => `${w.kind}/${w.name}`);
    const expected: string[][] = [
      ['Job/pre'],
      ['Secret/creds'],
      ['ConfigMap/early', 'ConfigMap/early-2'],
      ['Service/web'],
      ['Deployment/web'],
      ['Job/during'],
      ['ConfigMap/late'],
      ['Job/post'],
    ];
    let at = 0;
    for (const group of expected) {
      expect(new Set(writes.slice(at, at + group.length))).toEqual(new Set(group));
      at += group.length;
    }
    expect(writes.slice(at)).toEqual([]);

    const steps = progress.flatMap((p) => (p.kind === 'wave-started' ? [`${p.syncPhase}:${p.wave}`] : []));
    expect(steps).toEqual(['PreSync:0', 'Sync:-1', 'Sync:0', 'Sync:2', 'PostSync:0']);
    expect(result.resources.find((r) => r.name === 'pre')).toMatchObject({
      hookType: 'PreSync',
      hookPhase: 'Succeeded',
      status: 'Synced',
    });
    expect(result.resources.some((r) => r.name === 'on-fail')).toBe(false);
    expect(result.syncStatus).toBe('Synced');
    expect(result.healthStatus).toBe('Healthy');

    const dryRuns = f.emulator.audit().filter((e) => e.dryRun);
    expect(dryRuns.length).toBeGreaterThanOrEqual(9);
    const firstReal = f.emulator.audit().findIndex((e) => !e.dryRun && e.kind === 'Job');
    expect(f.emulator.audit().findLastIndex((e) => e.dryRun)).toBeLessThan(firstReal);
  });

  it('creates a Namespace and a CRD of the repository before what needs them', async () => {
    await using f = await engineFixture();
    const other = `${f.namespace}-extra`;
    f.repo.commit({
      // Waves chosen against the dependency: the engine must still order them right.
      'app/widget.yaml': `apiVersion: example.impulse.dev/v1\nkind: Widget\nmetadata:\n  name: w1\n  annotations:\n    argocd.argoproj.io/sync-wave: "-1"\nspec:\n  size: 3\n`,
      'app/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: in-other\n  namespace: ${other}\n  annotations:\n    argocd.argoproj.io/sync-wave: "-2"\ndata:\n  k: v\n`,
      'app/ns.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${other}\n  annotations:\n    argocd.argoproj.io/sync-wave: "5"\n`,
      'app/crd.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.impulse.dev
  annotations:
    argocd.argoproj.io/sync-wave: "3"
spec:
  group: example.impulse.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`,
    });

    const { result } = await f.sync();

    expect(result.message).toBe('successfully synced (all tasks run)');
    expect(f.writes().map((w) => `${w.kind}/${w.name}`)).toEqual([
      `Namespace/${other}`,
      'ConfigMap/in-other',
      'CustomResourceDefinition/widgets.example.impulse.dev',
      'Widget/w1',
    ]);
    expect(result.resources.find((r) => r.kind === 'Namespace')).toMatchObject({ wave: -2 });
    expect(result.resources.find((r) => r.kind === 'CustomResourceDefinition')).toMatchObject({ wave: -1 });
    const refresh = await f.engine.refresh(f.app());
    expect(refresh.syncStatus).toBe('Synced');
  });
});
