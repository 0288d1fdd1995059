import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { ARGO_COMPAT_DIR } from '../support/paths.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'impulse-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('impulse validate', () => {
  it('prints one line per object and exits 0 when all are valid', async () => {
    const result = await runCli(['validate', join(ARGO_COMPAT_DIR, 'sensors/webhook.yaml')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/sensors\/webhook\.yaml#1 Sensor webhook: valid\n/);
    expect(result.stdout).toMatch(/1 valid, 0 invalid, 0 skipped, in 1 file\n$/);
    expect(result.code).toBe(0);
  });

  it('prints each problem with file, line and field path, and exits 1 when any object is invalid', async () => {
    const result = await runCli(['validate', ARGO_COMPAT_DIR]);
    expect(result.stdout).toContain(
      'sensors/trigger-with-policy.yaml:25: spec.triggers[0].template.policy: is not a field here; policy belongs at spec.triggers[0].policy',
    );
    expect(result.stdout).toMatch(/46 valid, 2 invalid, 0 skipped, in 48 files\n$/);
    expect(result.code).toBe(1);
  });

  it('reports a YAML syntax error with its line and exits 1', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'apiVersion: impulse.dev/v1alpha1\nkind: Sensor\nspec: [\n');
    const result = await runCli(['validate', file]);
    expect(result.stdout).toMatch(/broken\.yaml:\d+: not valid YAML/);
    expect(result.code).toBe(1);
  });

  it('exits 2 with a clear message when a path does not exist', async () => {
    const result = await runCli(['validate', join(dir, 'missing.yaml')]);
    expect(result.stderr).toBe(`impulse: ${join(dir, 'missing.yaml')}: no such file or folder\n`);
    expect(result.code).toBe(2);
  });
});

describe('impulse convert', () => {
  it('rewrites only the apiVersion of Argo Events objects', async () => {
    const original = await readFile(
      join(ARGO_COMPAT_DIR, 'sensors/trigger-standard-k8s-resource.yaml'),
      'utf8',
    );
    const result = await runCli([
      'convert',
      join(ARGO_COMPAT_DIR, 'sensors/trigger-standard-k8s-resource.yaml'),
    ]);
    expect(result.code).toBe(0);
    const before = original.split('\n');
    const after = result.stdout.split('\n');
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[line, after[i]]]));
    expect(changed).toEqual([['apiVersion: argoproj.io/v1alpha1', 'apiVersion: impulse.dev/v1alpha1']]);
  });

  it('rewrites files in place with --write and leaves other kinds alone', async () => {
    const file = join(dir, 'mixed.yaml');
    await copyFile(join(ARGO_COMPAT_DIR, 'event-sources/webhook.yaml'), file);
    const workflow = '---\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\n';
    await writeFile(file, (await readFile(file, 'utf8')) + workflow);
    const result = await runCli(['convert', '--write', file]);
    expect(result.stderr).toBe(`${file}: 1 object converted\n`);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('apiVersion: impulse.dev/v1alpha1\nkind: EventSource')).toBe(true);
    expect(text.endsWith(workflow)).toBe(true);
    const check = await runCli(['validate', file]);
    expect(check.stdout).toContain('EventSource webhook: valid');
  });
});
