import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type CloudEvent, decodeEvent } from '../../../eventbus/index.ts';
import { SpineWorld } from '../../e2e/fixture.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';

const run = promisify(execFile);

/** A real Git repository in a temporary folder, committed to by the test and read over file://. */
export class GitRepo implements AsyncDisposable {
  private constructor(readonly dir: string) {}

  static async create(): Promise<GitRepo> {
    const repo = new GitRepo(await mkdtemp(join(tmpdir(), 'impulse-gitops-repo-')));
    await repo.git('init', '-q', '-b', 'main');
    return repo;
  }

  get url(): string {
    return `file://${this.dir}`;
  }

  /** Writes (or, with null, deletes) files and commits them on main; returns the commit sha. */
  async commit(files: Record<string, string | null>, message = 'change'): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const file = join(this.dir, path);
      if (content === null) await rm(file, { force: true });
      else {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, content);
      }
    }
    await this.git('add', '-A');
    await this.git(
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@example.com',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      message,
    );
    return (await this.git('rev-parse', 'HEAD')).trim();
  }

  private async git(...args: string[]): Promise<string> {
    const { stdout } = await run('git', args, {
      cwd: this.dir,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
    return stdout;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A Deployment manifest; `annotations` steer the emulator (delay-ms, degrade). */
export function deployment(options: {
  name: string;
  image: string;
  replicas?: number;
  annotations?: Record<string, string>;
  wave?: number;
}): string {
  const annotations = { ...options.annotations };
  if (options.wave !== undefined) annotations['argocd.argoproj.io/sync-wave'] = String(options.wave);
  const lines = Object.entries(annotations).map(([k, v]) => `    ${k}: "${v}"`);
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${options.name}
${lines.length > 0 ? `  annotations:\n${lines.join('\n')}\n` : ''}spec:
  replicas: ${options.replicas ?? 1}
  selector:
    matchLabels: {app: ${options.name}}
  template:
    metadata:
      labels: {app: ${options.name}}
    spec:
      containers:
        - name: main
          image: ${options.image}
`;
}

/** Every outcome event published on bus `busName` so far, in stream order. */
export async function readOutcomes(busName: string): Promise<CloudEvent[]> {
  const nc = await connect({ servers: SHARED_NATS_URL });
  try {
    const js = jetstream(nc);
    const consumer = await js.consumers.get(busName, { filter_subjects: `${busName}._outcomes.>` });
    const events: CloudEvent[] = [];
    if ((await consumer.info()).num_pending === 0) return events;
    const messages = await consumer.consume();
    for await (const message of messages) {
      events.push(decodeEvent(message.data));
      if (message.info.pending === 0) break;
    }
    return events;
  } finally {
    await nc.close();
  }
}

/** The outcome events of one type, with their data. */
export function ofType(
  events: CloudEvent[],
  type: string,
): Array<CloudEvent & { data: Record<string, unknown> }> {
  return events.filter((e) => e.type === type) as Array<CloudEvent & { data: Record<string, unknown> }>;
}

/**
 * An end-to-end world for the gitops trigger: the webhook EventSource and sensors in their own
 * processes on a fresh bus, the Kubernetes emulator (its kubeconfig in the sensors' KUBECONFIG), and
 * a Git repository. Everything is cleaned up together.
 */
export class GitOpsWorld implements AsyncDisposable {
  readonly spine = new SpineWorld(testBusName(), SHARED_NATS_URL);
  kube!: KubeEmulator;
  repo!: GitRepo;
  kubeconfig = '';

  static async start(options: { namespaces?: string[]; readyDelayMs?: number } = {}): Promise<GitOpsWorld> {
    const world = new GitOpsWorld();
    await world.spine.setup();
    world.kube = await startKubeEmulator({
      namespaces: options.namespaces ?? ['demo'],
      controllers: { readyDelayMs: options.readyDelayMs ?? 200, jobDurationMs: 500 },
    });
    world.kubeconfig = join(world.spine.dir, 'kubeconfig');
    await world.kube.writeKubeconfig(world.kubeconfig);
    world.repo = await GitRepo.create();
    return world;
  }

  /** Environment for sensor processes: the emulator as their cluster, a private git cache. */
  get env(): NodeJS.ProcessEnv {
    return { KUBECONFIG: this.kubeconfig, TMPDIR: this.spine.dir };
  }

  outcomes(): Promise<CloudEvent[]> {
    return readOutcomes(this.spine.busName);
  }

  /** Writes of the engine to one object (applies, updates, patches), from the emulator's audit log. */
  writes(kind: string, name: string): number {
    return this.kube.audit().filter((a) => a.kind === kind && a.name === name && !a.dryRun && !a.subresource)
      .length;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.spine[Symbol.asyncDispose]();
    await Promise.allSettled([this.kube?.close(), this.repo?.[Symbol.asyncDispose]()]);
    await removeBusTraces(this.spine.busName);
  }
}
