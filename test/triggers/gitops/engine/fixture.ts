import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { silentLogger } from '../../../../core/logger.ts';
import {
  type Application,
  createSyncEngine,
  type SyncEngine,
  type SyncEngineOptions,
  type SyncProgress,
} from '../../../../triggers/gitops/engine/index.ts';
import {
  type AuditEntry,
  type KubeEmulator,
  type KubeEmulatorOptions,
  startKubeEmulator,
} from '../../../support/kube-emulator/index.ts';
import { uniqueName } from '../../../support/unique.ts';

/** A real git repository in a temporary folder, committed to with the `git` command. */
export class TestRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'impulse-repo-'));
  readonly url = `file://${this.dir}`;

  constructor() {
    this.git('init', '--quiet', '--initial-branch', 'main');
    this.git('config', 'user.email', 'test@impulse.dev');
    this.git('config', 'user.name', 'test');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8' }).trim();
  }

  /** Writes files (path -> content; null deletes), commits them, and answers the commit sha. */
  commit(files: Record<string, string | null>, message = 'change'): string {
    for (const [path, content] of Object.entries(files)) {
      const file = join(this.dir, path);
      if (content === null) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface EngineFixture extends AsyncDisposable {
  emulator: KubeEmulator;
  engine: SyncEngine;
  repo: TestRepo;
  namespace: string;
  app(extra?: Partial<Application>): Application;
  /** Syncs and collects the progress events. */
  sync(
    extra?: Partial<Application>,
  ): Promise<{ result: Awaited<ReturnType<SyncEngine['sync']>>; progress: SyncProgress[] }>;
  /** Real (not dry-run) writes of the application's objects, without the Lease and the result ConfigMap. */
  writes(): AuditEntry[];
}

/**
 * An emulator (fast simulated controllers), a git repository and an engine with a short wave delay.
 * The namespace exists unless `createNamespace: false`.
 */
export async function engineFixture(
  options: {
    emulator?: KubeEmulatorOptions;
    engine?: Partial<SyncEngineOptions>;
    createNamespace?: boolean;
  } = {},
): Promise<EngineFixture> {
  const namespace = uniqueName('gitops');
  const emulator = await startKubeEmulator({
    controllers: { readyDelayMs: 100, jobDurationMs: 150 },
    ...(options.createNamespace === false ? {} : { namespaces: [namespace] }),
    ...options.emulator,
  });
  const cacheDir = mkdtempSync(join(tmpdir(), 'impulse-git-cache-'));
  const engine = createSyncEngine({
    kubeConfig: emulator.kubeConfig(),
    logger: silentLogger(),
    cacheDir,
    waveDelayMs: 20,
    waveTimeoutMs: 10_000,
    pollIntervalMs: 25,
    ...options.engine,
  });
  const repo = new TestRepo();
  const name = uniqueName('app');
  const app = (extra: Partial<Application> = {}): Application => ({
    name,
    repoURL: repo.url,
    revision: 'main',
    path: 'app',
    destination: { namespace },
    ...extra,
  });
  const close = async () => {
    await engine.close();
    await emulator.close();
    repo.remove();
    rmSync(cacheDir, { recursive: true, force: true });
  };
  return {
    emulator,
    engine,
    repo,
    namespace,
    app,
    async sync(extra) {
      const progress: SyncProgress[] = [];
      const result = await engine.sync(app(extra), { onProgress: (p) => progress.push(p) });
      return { result, progress };
    },
    writes: () =>
      emulator
        .audit()
        .filter(
          (e) =>
            !e.dryRun && e.kind !== 'Lease' && !(e.kind === 'ConfigMap' && e.name.startsWith('impulse-app-')),
        ),
    [Symbol.asyncDispose]: close,
  };
}

/** A Deployment manifest (YAML) with optional annotations. */
export function deploymentYaml(
  name: string,
  annotations: Record<string, string> = {},
  image = 'nginx:1.27',
): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${annotationsYaml(annotations)}spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: app
          image: ${image}
`;
}

/** A Job manifest (YAML); `name` may be `generateName: x-` style via `generate`. */
export function jobYaml(name: string, annotations: Record<string, string> = {}, generate = false): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  ${generate ? 'generateName' : 'name'}: ${name}
${annotationsYaml(annotations)}spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: run
          image: busybox:1.36
          command: [sh, -c, "true"]
`;
}

export function configMapYaml(
  name: string,
  data: Record<string, string> = { key: 'value' },
  annotations: Record<string, string> = {},
): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
${annotationsYaml(annotations)}data:
${Object.entries(data)
  .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
  .join('\n')}
`;
}

function annotationsYaml(annotations: Record<string, string>): string {
  const entries = Object.entries(annotations);
  if (entries.length === 0) return '';
  return `  annotations:\n${entries.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}\n`;
}
