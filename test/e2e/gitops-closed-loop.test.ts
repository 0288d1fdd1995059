import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../support/paths.ts';
import { waitFor } from '../support/wait.ts';
import { deployment, GitOpsWorld, ofType } from '../triggers/gitops/e2e-world.ts';

const EXAMPLE = join(REPO_ROOT, 'examples/gitops-closed-loop');

let world: GitOpsWorld;
beforeEach(async () => {
  world = await GitOpsWorld.start({ namespaces: [] });
});
afterEach(async () => {
  await world[Symbol.asyncDispose]();
});

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

/** The example's manifests, pointed at this test's repository and with a tick every `interval`. */
async function example(file: string, interval: string): Promise<string> {
  const text = await readFile(join(EXAMPLE, file), 'utf8');
  return text
    .replace('interval: 3m', `interval: ${interval}`)
    .replace('file:///tmp/impulse-demo/guestbook', world.repo.url)
    .replace(
      'syncOptions: [CreateNamespace=true]',
      'syncOptions: [CreateNamespace=true]\n          waveDelay: 100ms',
    );
}

describe('examples/gitops-closed-loop', () => {
  it('syncs on the first tick, leaves an untouched application alone over two ticks, and heals a hand edit from the resource source', async () => {
    const { spine } = world;
    await world.repo.commit({
      'deploy/web.yaml': deployment({ name: 'web', image: 'guestbook:1', replicas: 2 }),
      'deploy/service.yaml': SERVICE,
    });
    // The example's EventSource, as two processes: the ticks (stopped later) and the watches.
    const source = parse(await example('eventsource.yaml', '2s')) as { spec: Record<string, unknown> };
    const part = (key: string) => stringify({ ...source, spec: { [key]: source.spec[key] } });
    const ticking = await spine.run('eventsource', await spine.write('ticks.yaml', part('calendar')), {
      env: world.env,
    });
    await spine.run('eventsource', await spine.write('watches.yaml', part('resource')), { env: world.env });
    await spine.run('sensor', await spine.write('sensor.yaml', await example('sensor.yaml', '2s')), {
      env: world.env,
    });
    const fired = async () => ofType(await world.outcomes(), 'impulse.trigger.fired');
    const byTick = (events: Awaited<ReturnType<typeof fired>>) =>
      events.filter((e) => (e.data.eventIds as Record<string, string>).tick !== undefined);

    // The first tick finds nothing deployed: it syncs.
    const first = await waitFor(async () => ofType(await world.outcomes(), 'impulse.sync.succeeded')[0], {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: 'the first sync',
    });
    expect(first.data).toMatchObject({ app: 'guestbook', healthStatus: 'Healthy', syncStatus: 'Synced' });

    // Two more ticks are refreshed (ticks that came during the first sync were merged into it), and
    // the sync's own applies and the controllers' status writes came meanwhile: no sync.
    const refreshed = await waitFor(
      async () => {
        const ticks = byTick(await fired()).filter(
          (e) => e.data.synced === false && e.data.operation === 'refresh',
        );
        return ticks.length >= 2 ? ticks : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, message: 'two ticks refreshed after the first sync' },
    );
    expect(refreshed.slice(0, 2).map((e) => e.data)).toEqual([
      expect.objectContaining({ drift: false, syncStatus: 'Synced', healthStatus: 'Healthy' }),
      expect.objectContaining({ drift: false, syncStatus: 'Synced', healthStatus: 'Healthy' }),
    ]);
    expect(ofType(await world.outcomes(), 'impulse.sync.started')).toHaveLength(1);

    // With the ticks far apart, a hand edit is healed by the resource source's event alone.
    await ticking.stop();
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    const live = await apps.readNamespacedDeployment({ name: 'web', namespace: 'guestbook' });
    live.spec!.replicas = 7;
    await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'guestbook', body: live });
    const healed = await waitFor(async () => ofType(await world.outcomes(), 'impulse.sync.succeeded')[1], {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: 'the healing sync',
    });
    expect(Object.keys(healed.data.eventIds as object)).toEqual(['drift']);
    expect(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: 'guestbook' })).spec?.replicas,
    ).toBe(2);
    expect(ofType(await world.outcomes(), 'impulse.sync.started')).toHaveLength(2);
  }, 150_000);
});
