import { describe, expect, it } from 'vitest';
import { hookInfo, hookName, waveOf } from '../../../../triggers/gitops/engine/hooks.ts';
import type { KubeObject } from '../../../../triggers/gitops/engine/kube-object.ts';
import { adjustPruneWaves, type Orderable, sortTasks } from '../../../../triggers/gitops/engine/ordering.ts';

const task = (
  phase: Orderable['phase'],
  wave: number,
  kind: string,
  name: string,
  extra: Partial<Orderable> = {},
): Orderable => ({
  phase,
  wave,
  group: '',
  kind,
  name,
  target: { apiVersion: 'v1', kind, metadata: { name } },
  ...extra,
});
const label = (t: Orderable) => `${t.phase}/${t.wave}/${t.kind}/${t.name}`;
const meta = (annotations: Record<string, string>, name = 'x'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, annotations },
});

describe('gitops engine: ordering', () => {
  it('sorts by phase, then wave, then kind order (unknown kinds last), then name', () => {
    const sorted = sortTasks([
      task('PostSync', -5, 'Job', 'post'),
      task('Sync', 1, 'ConfigMap', 'b'),
      task('Sync', 0, 'Widget', 'custom'),
      task('Sync', 0, 'Deployment', 'web'),
      task('Sync', 0, 'Service', 'web'),
      task('Sync', 0, 'ConfigMap', 'z'),
      task('Sync', 0, 'ConfigMap', 'a'),
      task('PreSync', 3, 'Job', 'pre'),
      task('SyncFail', -9, 'Job', 'fail'),
    ]);
    expect(sorted.map(label)).toEqual([
      'PreSync/3/Job/pre',
      'Sync/0/ConfigMap/a',
      'Sync/0/ConfigMap/z',
      'Sync/0/Service/web',
      'Sync/0/Deployment/web',
      'Sync/0/Widget/custom',
      'Sync/1/ConfigMap/b',
      'PostSync/-5/Job/post',
      'SyncFail/-9/Job/fail',
    ]);
  });

  it('moves a Namespace ahead of the first object in it, and a CRD ahead of its first custom resource', () => {
    const inNs: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'team' },
    };
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.dev' },
      spec: { group: 'example.dev', names: { kind: 'Widget' } },
    };
    const sorted = sortTasks([
      task('Sync', 4, 'Namespace', 'team'),
      task('PreSync', 0, 'ConfigMap', 'cm', { target: inNs }),
      task('Sync', 2, 'CustomResourceDefinition', 'widgets.example.dev', {
        group: 'apiextensions.k8s.io',
        target: crd,
      }),
      task('Sync', 1, 'Widget', 'w', { group: 'example.dev' }),
    ]);
    expect(sorted.map(label)).toEqual([
      'PreSync/0/Namespace/team',
      'PreSync/0/ConfigMap/cm',
      'Sync/1/CustomResourceDefinition/widgets.example.dev',
      'Sync/1/Widget/w',
    ]);
  });

  it('reverses prune waves and moves PruneLast prunes after the last Sync wave', () => {
    const prune = (wave: number, name: string, pruneLast = false) => ({
      ...task('Sync', wave, 'ConfigMap', name),
      target: undefined,
      prune: true,
      pruneLast,
    });
    const keep = { ...task('Sync', 7, 'ConfigMap', 'kept'), prune: false, pruneLast: false };
    const tasks = [prune(0, 'a'), prune(1, 'b'), prune(5, 'c'), prune(1, 'last', true), keep];
    adjustPruneWaves(tasks);
    expect(Object.fromEntries(tasks.map((t) => [t.name, t.wave]))).toEqual({
      a: 5,
      b: 1,
      c: 0,
      last: 8,
      kept: 7,
    });
  });

  it('reads waves and hooks from Argo CD annotations, else Helm ones', () => {
    expect(waveOf(meta({ 'argocd.argoproj.io/sync-wave': '-3' }))).toBe(-3);
    expect(waveOf(meta({ 'helm.sh/hook-weight': '5' }))).toBe(5);
    expect(waveOf(meta({ 'argocd.argoproj.io/sync-wave': 'x' }))).toBe(0);
    expect(hookInfo(meta({ 'argocd.argoproj.io/hook': 'PreSync,PostSync' }))).toEqual({
      kind: 'hook',
      phases: ['PreSync', 'PostSync'],
    });
    expect(hookInfo(meta({ 'argocd.argoproj.io/hook': 'Skip' }))).toEqual({ kind: 'skip' });
    expect(hookInfo(meta({ 'argocd.argoproj.io/hook': 'Later' })).kind).toBe('invalid');
    expect(hookInfo(meta({ 'helm.sh/hook': 'pre-install,pre-upgrade' }))).toEqual({
      kind: 'hook',
      phases: ['PreSync'],
    });
    expect(hookInfo(meta({ 'helm.sh/hook': 'post-install', 'argocd.argoproj.io/hook': 'Sync' }))).toEqual({
      kind: 'hook',
      phases: ['Sync'],
    });
    expect(hookInfo(meta({}))).toEqual({ kind: 'resource' });
    const generated: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { generateName: 'Smoke-' },
    };
    expect(hookName(generated, '0123456789abcdef', 'PostSync', 1700000000123)).toBe(
      'smoke-0123456-postsync-1700000000123',
    );
  });
});
