/**
 * `npm run bench:sync`: the sync engine against the Kubernetes emulator (no simulated controller
 * delays, wave delay 0). A git repository of 300 manifests in 3 waves (100 ConfigMaps in wave 0,
 * 100 Secrets in wave 1, 100 Services in wave 2) is refreshed and synced into a fresh namespace;
 * in the same run the same work is done plainly as the baseline (one list per kind, then 300
 * dry-run and 300 real server-side applies, over the same HTTP client and with the same
 * parallelism). Each round runs on a fresh emulator, baseline and sync in alternating order; prints
 * the medians and the median of the per-round ratios. Goal: sync within 1.5x of the baseline.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The engine's own client, so that the baseline differs from the sync only in what the engine adds.
import { KubeRest } from '../core/kube/rest.ts';
import type { ResourceInfo } from '../core/kube/types.ts';
import { silentLogger } from '../core/logger.ts';
import { startKubeEmulator } from '../test/support/kube-emulator/index.ts';
import { type Application, createSyncEngine } from '../triggers/gitops/engine/index.ts';
import type { KubeObject } from '../triggers/gitops/engine/kube-object.ts';

const PER_KIND = Number(process.env.BENCH_PER_KIND ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = 16;
const GOAL = 1.5;
const say = (line: string) => process.stdout.write(`${line}\n`);

function manifests(): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < PER_KIND; i++) {
    const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `config-${i}`, annotations: wave(0) },
      data: { index: String(i), text: 'x'.repeat(200) },
    });
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `secret-${i}`, annotations: wave(1) },
      stringData: { token: `token-${i}` },
    });
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}`, annotations: wave(2) },
      spec: { selector: { app: `app-${i}` }, ports: [{ port: 80 }] },
    });
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const repoDir = mkdtempSync(join(tmpdir(), 'impulse-bench-sync-repo-'));
const cacheDir = mkdtempSync(join(tmpdir(), 'impulse-bench-sync-cache-'));
const objects = manifests();
const git = (...args: string[]) => execFileSync('git', args, { cwd: repoDir, encoding: 'utf8' });
git('init', '--quiet', '--initial-branch', 'main');
mkdirSync(join(repoDir, 'app'));
for (const o of objects)
  writeFileSync(join(repoDir, 'app', `${o.kind.toLowerCase()}-${o.metadata.name}.json`), JSON.stringify(o));
git('add', '--all');
git('-c', 'user.email=bench@impulse.dev', '-c', 'user.name=bench', 'commit', '--quiet', '-m', 'bench');
say(
  `${objects.length} manifests in 3 waves; ${ROUNDS} rounds, each on a fresh emulator; concurrency ${CONCURRENCY}; wave delay 0`,
);

const times = {
  refresh: [] as number[],
  sync: [] as number[],
  resync: [] as number[],
  baseline: [] as number[],
  ratio: [] as number[],
};
const run = async <T>(items: T[], fn: (t: T) => Promise<unknown>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
};

for (let round = 0; round < ROUNDS; round++) {
  // A fresh emulator per round, so that neither side works against a store the other has filled.
  const emulator = await startKubeEmulator({ controllers: false });
  const kc = emulator.kubeConfig();
  const engine = createSyncEngine({
    kubeConfig: kc,
    logger: silentLogger(),
    cacheDir,
    waveDelayMs: 0,
    waveTimeoutMs: 60_000,
    concurrency: CONCURRENCY,
  });
  const client = new KubeRest(kc, { maxSockets: CONCURRENCY * 2 });
  const write = { fieldManager: 'bench', force: true, fieldValidation: 'Strict' } as const;
  try {
    const kind = async (k: string) => client.resource('v1', k);
    const kinds: Record<string, ResourceInfo> = {};
    for (const k of ['ConfigMap', 'Secret', 'Service', 'Namespace']) kinds[k] = await kind(k);
    const app: Application = {
      name: 'bench',
      repoURL: `file://${repoDir}`,
      revision: 'main',
      path: 'app',
      destination: { namespace: 'bench-sync' },
      syncOptions: ['CreateNamespace=true'],
    };
    for (const ns of ['bench-plain', 'bench-sync'])
      await client.apply(
        { resource: kinds.Namespace!, namespace: undefined, name: ns },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        write,
      );
    // Warm both: discovery, connections, and the git cache (a running trigger has all three).
    await engine.refresh(app);
    await client.list(kinds.ConfigMap!, 'bench-plain');

    const baseline = async () => {
      const t0 = performance.now();
      await Promise.all(['ConfigMap', 'Secret', 'Service'].map((k) => client.list(kinds[k]!, 'bench-plain')));
      const placed = objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'bench-plain' } }));
      const at = (o: KubeObject) => ({
        resource: kinds[o.kind]!,
        namespace: 'bench-plain',
        name: o.metadata.name!,
      });
      await run(placed, (o) => client.apply(at(o), o, { ...write, dryRun: true }));
      await run(placed, (o) => client.apply(at(o), o, write));
      times.baseline.push(performance.now() - t0);
    };
    const sync = async () => {
      const t1 = performance.now();
      const refresh = await engine.refresh(app);
      times.refresh.push(performance.now() - t1);
      if (refresh.resources.length !== objects.length)
        throw new Error(`refresh saw ${refresh.resources.length} resources`);
      const t2 = performance.now();
      const result = await engine.sync(app);
      times.sync.push(performance.now() - t2);
      if (result.phase !== 'Succeeded' || result.syncStatus !== 'Synced')
        throw new Error(`sync ended ${result.phase}: ${result.message}`);
    };
    // Alternate which goes first, so that neither always meets a warmer (or busier) server.
    if (round % 2 === 0) {
      await baseline();
      await sync();
    } else {
      await sync();
      await baseline();
    }
    const t3 = performance.now();
    const again = await engine.sync(app);
    times.resync.push(performance.now() - t3);
    if (again.phase !== 'Succeeded') throw new Error(`second sync ended ${again.phase}: ${again.message}`);
    times.ratio.push(times.sync.at(-1)! / times.baseline.at(-1)!);
    say(
      `  round ${round + 1}: baseline ${times.baseline.at(-1)!.toFixed(0)} ms, refresh ${times.refresh.at(-1)!.toFixed(0)} ms, sync ${times.sync.at(-1)!.toFixed(0)} ms (${times.ratio.at(-1)!.toFixed(2)}x), sync with nothing to change ${times.resync.at(-1)!.toFixed(0)} ms`,
    );
  } finally {
    await engine.close();
    await client.close();
    await emulator.close();
  }
}

const baseline = median(times.baseline);
const ratio = median(times.ratio);
say('');
say(
  `baseline (3 lists, ${objects.length} dry-run + ${objects.length} server-side applies): median ${baseline.toFixed(0)} ms`,
);
say(
  `refresh (git fetch, parse, lists, diff, health):                  median ${median(times.refresh).toFixed(0)} ms`,
);
say(
  `sync (fetch, refresh, lease, dry run, 3 waves, final refresh, result): median ${median(times.sync).toFixed(0)} ms`,
);
say(
  `sync / baseline, same round:                                      median ${ratio.toFixed(2)}x (goal <= ${GOAL}x)`,
);
say(
  `sync with nothing to change:                                      median ${median(times.resync).toFixed(0)} ms`,
);
say(ratio <= GOAL ? 'goal met' : 'goal NOT met');
rmSync(repoDir, { recursive: true, force: true });
rmSync(cacheDir, { recursive: true, force: true });
