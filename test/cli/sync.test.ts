import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import {
  EMULATOR_ANNOTATIONS,
  type KubeEmulator,
  startKubeEmulator,
} from '../support/kube-emulator/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { uniqueName } from '../support/unique.ts';
import { TestRepo } from '../triggers/gitops/engine/fixture.ts';

const EXAMPLE_APP = join(REPO_ROOT, 'examples/gitops-sync/app');

describe('impulse sync and impulse status', () => {
  let emulator: KubeEmulator;
  let dir: string;
  let kubeconfig: string;
  const repos: TestRepo[] = [];

  beforeAll(async () => {
    emulator = await startKubeEmulator({ controllers: { readyDelayMs: 100, jobDurationMs: 150 } });
    dir = mkdtempSync(join(tmpdir(), 'impulse-sync-cli-'));
    kubeconfig = join(dir, 'kubeconfig');
    await emulator.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
    for (const r of repos) r.remove();
  });

  /** A repository holding a copy of the example application under app/. */
  function exampleRepo(): TestRepo {
    const repo = new TestRepo();
    repos.push(repo);
    cpSync(EXAMPLE_APP, join(repo.dir, 'app'), { recursive: true });
    repo.commit({}, 'the example application');
    return repo;
  }

  const syncArgs = (repo: TestRepo, app: string, namespace: string, extra: string[] = []) => [
    'sync',
    '--repo',
    repo.url,
    '--revision',
    'main',
    '--path',
    'app',
    '--app',
    app,
    '--namespace',
    namespace,
    '--kubeconfig',
    kubeconfig,
    '--wave-delay',
    '0.05',
    '--wave-timeout',
    '20',
    '--cache-dir',
    join(dir, 'cache'),
    ...extra,
  ];

  it('syncs the example (hooks and waves) and prints refresh, progress and summary; status shows the result', async () => {
    const repo = exampleRepo();
    const app = uniqueName('demo');
    const namespace = uniqueName('ns');

    const run = await runCli(syncArgs(repo, app, namespace, ['--sync-option', 'CreateNamespace=true']));

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain(`application ${app} at ${repo.git('rev-parse', 'HEAD')}: OutOfSync, Missing`);
    expect(out).toMatch(/RESOURCE\s+WAVE\s+SYNC\s+HEALTH\s+DETAIL/);
    expect(out).toMatch(
      new RegExp(`ConfigMap ${namespace}/web-config\\s+-1\\s+OutOfSync \\(missing\\)\\s+Missing`),
    );
    const order = [...out.matchAll(/^(\w+) wave (-?\d+): /gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(order).toEqual(['PreSync 0', 'Sync -1', 'Sync 0', 'Sync 1', 'PostSync 0']);
    expect(out).toMatch(/hook succeeded\s+Job .*\/migrate/);
    expect(out).toMatch(/waiting for\s+Deployment .*\/web \(Progressing/);
    expect(out).toMatch(/hook succeeded\s+Job .*\/smoke-test-[0-9a-f]{7}-postsync-\d+/);
    expect(out).toContain('sync Succeeded: successfully synced (all tasks run)');
    expect(out).toMatch(/application Synced, Healthy/);
    expect(out).not.toContain('notify-failure');

    const status = await runCli([
      'status',
      '--app',
      app,
      '--namespace',
      namespace,
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('sync Succeeded: successfully synced (all tasks run)');
    expect(status.stdout).toMatch(/Deployment .*\/frontend\s+Sync\/1\s+Synced/);
    expect(status.stdout).toMatch(/Job .*\/migrate\s+PreSync\/0\s+Synced\s+PreSync Succeeded/);
  });

  it('exits 1 with the reason when the sync fails, and status shows the failed result', async () => {
    const repo = exampleRepo();
    const app = uniqueName('demo');
    const namespace = uniqueName('ns');
    const migrate = join(repo.dir, 'app/migrate.yaml');
    writeFileSync(
      migrate,
      readFileSync(migrate, 'utf8').replace(
        '  annotations:\n',
        `  annotations:\n    ${EMULATOR_ANNOTATIONS.fail}: "true"\n`,
      ),
    );
    repo.commit({}, 'a migration that fails');

    const run = await runCli(syncArgs(repo, app, namespace, ['--sync-option', 'CreateNamespace=true']));

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^impulse: sync of ${app} failed: one or more synchronization tasks completed unsuccessfully: Job [^ ]+/migrate`,
      ),
    );
    expect(run.stdout).toMatch(/hook failed\s+Job .*\/migrate/);
    expect(run.stdout).toMatch(/SyncFail wave 0: 1 resource/);
    expect(run.stdout).not.toMatch(/^Sync wave/m);

    const status = await runCli([
      'status',
      '--app',
      app,
      '--namespace',
      namespace,
      '--kubeconfig',
      kubeconfig,
      '--json',
    ]);
    expect(JSON.parse(status.stdout)).toMatchObject({ app, phase: 'Failed', dryRun: false });
  });

  it('refuses a missing namespace without CreateNamespace=true, and status says when nothing was recorded', async () => {
    const repo = exampleRepo();
    const app = uniqueName('demo');
    const namespace = uniqueName('absent');

    const run = await runCli(syncArgs(repo, app, namespace));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `impulse: sync of ${app} failed: namespace ${namespace} does not exist; set CreateNamespace=true\n`,
    );

    const status = await runCli([
      'status',
      '--app',
      app,
      '--namespace',
      'default',
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(`application ${app} has no recorded sync in namespace default`);
  });
});
