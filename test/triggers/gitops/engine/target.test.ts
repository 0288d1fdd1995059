import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../../core/errors.ts';
import { globMatcher, loadManifests } from '../../../../triggers/gitops/engine/manifests.ts';
import { findOnPath } from '../../../../triggers/gitops/engine/render.ts';
import { configMapYaml, engineFixture } from './fixture.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'impulse-manifests-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const app = (extra: object = {}) => ({
  name: 'demo',
  repoURL: 'file:///repo',
  path: 'app',
  destination: { namespace: 'demo' },
  ...extra,
});

describe('gitops engine: loading manifests', () => {
  it('reads YAML (multi-document, Lists) and JSON, sub-folders only with recurse, filtered by include/exclude', async () => {
    const dir = tree({
      'app/a.yaml': `${configMapYaml('a')}---\n# empty document follows\n---\n${configMapYaml('b')}`,
      'app/list.yml':
        'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n',
      'app/d.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' } }),
      'app/notes.txt': 'not a manifest',
      'app/sub/e.yaml': configMapYaml('e'),
      'app/sub/skip-me.yaml': configMapYaml('skipped'),
    });
    const names = async (extra: object) =>
      (await loadManifests(dir, app(extra))).map((m) => m.object.metadata.name);

    expect(await names({})).toEqual(['a', 'b', 'd', 'c']);
    expect(await names({ directory: { recurse: true } })).toEqual(['a', 'b', 'd', 'c', 'e', 'skipped']);
    expect(await names({ directory: { recurse: true, exclude: '**/skip-*' } })).toEqual([
      'a',
      'b',
      'd',
      'c',
      'e',
    ]);
    expect(await names({ directory: { recurse: true, include: '{a.yaml,sub/*}' } })).toEqual([
      'a',
      'b',
      'e',
      'skipped',
    ]);
    const [first] = await loadManifests(dir, app());
    expect(first?.source).toBe('app/a.yaml#1');
  });

  it('names the file and document of a manifest that is not valid', async () => {
    const dir = tree({
      'app/bad.yaml': `${configMapYaml('ok')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n`,
    });
    await expect(loadManifests(dir, app())).rejects.toThrow(
      'app/bad.yaml#2: metadata.name (or metadata.generateName) is required',
    );
  });

  it('fails with a permanent error naming the tool when a kustomization or a chart needs one that is not on PATH', async () => {
    expect(findOnPath('kustomize')).toBeUndefined();
    expect(findOnPath('helm')).toBeUndefined();
    for (const [file, tool] of [
      ['kustomization.yaml', 'kustomize'],
      ['Chart.yaml', 'helm'],
    ] as const) {
      const dir = tree({ [`app/${file}`]: 'resources: [cm.yaml]\n', 'app/cm.yaml': configMapYaml('raw') });
      const err = await loadManifests(dir, app()).catch((e: unknown) => e);
      expect(isImpulseError(err, 'PERMANENT')).toBe(true);
      expect((err as Error).message).toContain(`needs \`${tool}\` to render, but ${tool} is not on PATH`);
      expect((err as Error).message).toContain(file);
    }
  });

  it('matches globs as Argo CD does', () => {
    expect(globMatcher('*.yaml')('deep/x.yaml')).toBe(true);
    expect(globMatcher('sub/*.yaml')('sub/deeper/x.yaml')).toBe(false);
    expect(globMatcher('**/x.yaml')('a/b/x.yaml')).toBe(true);
    expect(globMatcher('{a,b}.json')('b.json')).toBe(true);
    expect(globMatcher('{a,b}.json')('c.json')).toBe(false);
  });
});

describe('gitops engine: git', () => {
  it('resolves a branch, a tag and a short sha to the commit, and fails permanently for a missing revision or path', async () => {
    await using f = await engineFixture();
    const first = f.repo.commit({ 'app/cm.yaml': configMapYaml('cm') });
    f.repo.git('tag', '-a', 'v1', '-m', 'v1');
    const second = f.repo.commit({ 'app/cm.yaml': configMapYaml('cm', { k: 'changed' }) });

    expect((await f.engine.refresh(f.app({ revision: 'main' }))).revision).toBe(second);
    expect((await f.engine.refresh(f.app({ revision: 'v1' }))).revision).toBe(first);
    expect((await f.engine.refresh(f.app({ revision: first.slice(0, 10) }))).revision).toBe(first);
    expect((await f.engine.refresh(f.app({ revision: 'HEAD' }))).revision).toBe(second);

    const missing = await f.engine.refresh(f.app({ revision: 'no-such-branch' })).catch((e: unknown) => e);
    expect(isImpulseError(missing, 'PERMANENT')).toBe(true);
    expect((missing as Error).message).toContain(`cannot fetch revision no-such-branch of ${f.repo.url}`);
    const noPath = await f.engine.refresh(f.app({ path: 'nowhere' })).catch((e: unknown) => e);
    expect(isImpulseError(noPath, 'PERMANENT')).toBe(true);
    expect((noPath as Error).message).toContain('path nowhere of');
  });

  it('never applies the raw files of a kustomization when kustomize is missing', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/kustomization.yaml': 'resources: [cm.yaml]\n',
      'app/cm.yaml': configMapYaml('raw'),
    });
    await expect(f.sync()).rejects.toThrow(/kustomize is not on PATH/);
    expect(f.emulator.audit()).toEqual([]);
  });
});
