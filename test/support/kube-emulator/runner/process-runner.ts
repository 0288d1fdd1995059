import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { templateHash } from '../controllers/common.ts';
import { arr, isObject, type JsonObject, type KubeObject, obj, str } from '../json.ts';
import type { Store, StoreEvent } from '../store.ts';
import { preparePod } from './pod-environment.ts';

export interface ProcessRunnerOptions {
  /** A Deployment container whose image equals this runs as a local process. */
  image: string;
  /** What stands for the image's entrypoint. @default [node, <repo>/bin/impulse.js] */
  command?: string[];
  /** Where pod folders go. @default a new temporary folder, removed on close */
  workDir?: string;
  /** Where the processes' output goes. @default "ignore" (the last lines are kept in `output`) */
  output?: 'inherit' | 'ignore';
}

/** One local process standing for a container of a Deployment's pod. */
export interface RunnerProcess {
  namespace: string;
  deployment: string;
  pod: string;
  container: string;
  /** The pod's folder; a volume mounted at /x is at `<podDir>/x`. */
  podDir: string;
  args: string[];
  /** The container's environment (after resolution and path rewriting), without the inherited PATH and HOME. */
  env: Record<string, string>;
  /** The local port a `--metrics-port` argument was moved to, if the container had one. */
  metricsPort: number | undefined;
  pid: number | undefined;
  state: 'running' | 'exited' | 'failed';
  exitCode: number | null;
  restarts: number;
  /** The last lines of output (stdout and stderr). */
  output: string[];
  /** Why the process could not start, when state is "failed". */
  error?: string;
}

interface Pod {
  hash: string;
  name: string;
  stopping: boolean;
  processes: { info: RunnerProcess; child: ChildProcess | undefined; timer: NodeJS.Timeout | undefined }[];
  grace: number;
}

const DEPLOYMENTS = 'deployments.apps';
const DEFAULT_COMMAND = [
  process.execPath,
  fileURLToPath(new URL('../../../../bin/impulse.js', import.meta.url)),
];
const MAX_OUTPUT_LINES = 200;

/**
 * Runs the Deployments whose container image is the Impulse image as local processes: one process per
 * matching container (replicas above one still run once, so two copies never fight over ports),
 * started when the Deployment wants replicas, restarted with backoff when it exits, replaced when the
 * pod template changes, and stopped (SIGTERM, then SIGKILL after the grace period, at most 5 s) when
 * the Deployment is deleted or scaled to zero. A `--metrics-port N` argument moves to a free local
 * port, since every pod in a cluster may use the same one. The process gets KUBECONFIG pointing at
 * the emulator.
 */
export class ProcessRunner {
  readonly #pods = new Map<string, Pod>();
  readonly #queue = new Map<string, Promise<void>>();
  readonly #unsubscribe: () => void;
  #closed = false;

  private constructor(
    readonly store: Store,
    readonly options: ProcessRunnerOptions,
    readonly workDir: string,
    readonly kubeconfig: string,
    readonly ownsWorkDir: boolean,
  ) {
    this.#unsubscribe = store.subscribe((e) => this.#onEvent(e));
  }

  static async start(
    store: Store,
    options: ProcessRunnerOptions,
    writeKubeconfig: (file: string) => Promise<void>,
  ): Promise<ProcessRunner> {
    const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'kube-emulator-pods-')));
    await mkdir(workDir, { recursive: true });
    const kubeconfig = join(workDir, 'kubeconfig');
    await writeKubeconfig(kubeconfig);
    const runner = new ProcessRunner(store, options, workDir, kubeconfig, options.workDir === undefined);
    for (const d of store.list(DEPLOYMENTS))
      runner.#enqueue(str(d.metadata, 'namespace') ?? '', str(d.metadata, 'name') ?? '');
    return runner;
  }

  /** The processes the runner has started and not yet stopped. */
  processes(): RunnerProcess[] {
    return [...this.#pods.values()].flatMap((p) => p.processes.map((x) => structuredClone(x.info)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    await Promise.allSettled([...this.#queue.values()]);
    await Promise.allSettled([...this.#pods.values()].map((p) => this.#stop(p)));
    this.#pods.clear();
    if (this.ownsWorkDir) await rm(this.workDir, { recursive: true, force: true });
  }

  #onEvent(e: StoreEvent): void {
    const namespace = str(e.object.metadata, 'namespace') ?? '';
    if (e.key === DEPLOYMENTS) this.#enqueue(namespace, str(e.object.metadata, 'name') ?? '');
    if (e.key !== 'secrets.' && e.key !== 'configmaps.') return;
    // A pod that could not start for want of a Secret or ConfigMap tries again when one changes.
    for (const [key, pod] of this.#pods) {
      // Only a process that failed to start has an error; one still being prepared has none yet.
      const failed = pod.processes.some((p) => p.info.state === 'failed' && p.info.error !== undefined);
      if (!key.startsWith(`${namespace}/`) || !failed) continue;
      this.#pods.delete(key);
      void this.#stop(pod).then(() => this.#enqueue(namespace, key.slice(namespace.length + 1)));
    }
  }

  /** Reconciles one Deployment at a time, in order, so starts and stops never overlap. */
  #enqueue(namespace: string, name: string): void {
    if (this.#closed) return;
    const key = `${namespace}/${name}`;
    const previous = this.#queue.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#reconcile(key, namespace, name)).catch(() => {});
    this.#queue.set(key, next);
    void next.then(() => {
      if (this.#queue.get(key) === next) this.#queue.delete(key);
    });
  }

  async #reconcile(key: string, namespace: string, name: string): Promise<void> {
    if (this.#closed) return;
    const deployment = this.store.get(DEPLOYMENTS, namespace, name);
    const containers = deployment ? this.#matching(deployment) : [];
    const replicas = deployment ? (obj(deployment, 'spec')?.replicas ?? 1) : 0;
    const wanted =
      deployment && !deployment.metadata.deletionTimestamp && replicas !== 0 && containers.length > 0;
    const current = this.#pods.get(key);
    const hash = deployment ? templateHash(deployment) : '';
    if (current && (!wanted || current.hash !== hash)) {
      this.#pods.delete(key);
      await this.#stop(current);
    }
    if (!wanted || this.#pods.has(key) || !deployment) return;
    const podSpec = obj(obj(obj(deployment, 'spec'), 'template'), 'spec') ?? {};
    const pod: Pod = {
      hash,
      name: `${name}-${hash}-${randomBytes(3).toString('hex').slice(0, 5)}`,
      stopping: false,
      processes: [],
      grace: Math.min(Number(podSpec.terminationGracePeriodSeconds ?? 30), 5) * 1000,
    };
    this.#pods.set(key, pod);
    const podDir = join(this.workDir, pod.name);
    for (const container of containers) {
      const info: RunnerProcess = {
        namespace,
        deployment: name,
        pod: pod.name,
        container: str(container, 'name') ?? '',
        podDir,
        args: [],
        env: {},
        metricsPort: undefined,
        pid: undefined,
        state: 'failed',
        exitCode: null,
        restarts: 0,
        output: [],
      };
      const entry = {
        info,
        child: undefined as ChildProcess | undefined,
        timer: undefined as NodeJS.Timeout | undefined,
      };
      pod.processes.push(entry);
      try {
        const prepared = await preparePod(this.store, namespace, pod.name, podDir, podSpec, container);
        info.env = prepared.env;
        info.args = await this.#moveMetricsPort(prepared.args, info);
        // The pod may have been stopped while its volumes were prepared; never start an orphan.
        if (pod.stopping || this.#closed) return;
        this.#spawn(pod, entry);
      } catch (err) {
        info.error = (err as Error).message;
      }
    }
  }

  #matching(deployment: KubeObject): JsonObject[] {
    const podSpec = obj(obj(obj(deployment, 'spec'), 'template'), 'spec');
    return (arr(podSpec, 'containers') ?? [])
      .filter(isObject)
      .filter((c) => str(c, 'image') === this.options.image);
  }

  async #moveMetricsPort(args: string[], info: RunnerProcess): Promise<string[]> {
    const out = [...args];
    for (let i = 0; i < out.length; i++) {
      const arg = out[i] ?? '';
      if (arg === '--metrics-port' && i + 1 < out.length) {
        info.metricsPort = await freePort();
        out[i + 1] = String(info.metricsPort);
      } else if (arg.startsWith('--metrics-port=')) {
        info.metricsPort = await freePort();
        out[i] = `--metrics-port=${info.metricsPort}`;
      }
    }
    return out;
  }

  #spawn(pod: Pod, entry: Pod['processes'][number]): void {
    const { info } = entry;
    const [command, ...prefix] = this.options.command ?? DEFAULT_COMMAND;
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KUBECONFIG: this.kubeconfig,
      ...info.env,
    };
    const child = spawn(command ?? process.execPath, [...prefix, ...info.args], {
      cwd: info.podDir,
      env,
      stdio: [
        'ignore',
        this.options.output === 'inherit' ? 'inherit' : 'pipe',
        this.options.output === 'inherit' ? 'inherit' : 'pipe',
      ],
    });
    entry.child = child;
    info.pid = child.pid;
    info.state = 'running';
    const keep = (chunk: Buffer) => {
      info.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (info.output.length > MAX_OUTPUT_LINES) info.output.splice(0, info.output.length - MAX_OUTPUT_LINES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (err) => keep(Buffer.from(`spawn failed: ${err.message}`)));
    child.on('exit', (code) => {
      info.state = 'exited';
      info.exitCode = code;
      entry.child = undefined;
      if (pod.stopping || this.#closed) return;
      // Like a kubelet's CrashLoopBackOff: 1 s, doubling, at most 10 s.
      const delay = Math.min(1000 * 2 ** info.restarts, 10_000);
      entry.timer = setTimeout(() => {
        if (pod.stopping || this.#closed) return;
        info.restarts++;
        this.#spawn(pod, entry);
      }, delay);
      entry.timer.unref();
    });
  }

  async #stop(pod: Pod): Promise<void> {
    pod.stopping = true;
    await Promise.all(
      pod.processes.map(async (entry) => {
        clearTimeout(entry.timer);
        const child = entry.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), pod.grace);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
