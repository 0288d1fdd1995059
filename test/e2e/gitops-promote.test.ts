import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.ts';
import { waitFor } from '../support/wait.ts';
import { deployment, GitOpsWorld, ofType } from '../triggers/gitops/e2e-world.ts';

const EXAMPLE = join(REPO_ROOT, 'examples/gitops-promote');

let world: GitOpsWorld;
beforeEach(async () => {
  world = await GitOpsWorld.start({ namespaces: [] });
});
afterEach(async () => {
  await world[Symbol.asyncDispose]();
});

/** An example file with this test's port and repository, and short pauses between waves. */
async function example(file: string): Promise<string> {
  return (await readFile(join(EXAMPLE, file), 'utf8'))
    .replace('"12000"', `"${world.spine.port}"`)
    .replace('file:///tmp/impulse-demo/guestbook', world.repo.url)
    .replace(
      'syncOptions: [CreateNamespace=true]',
      'syncOptions: [CreateNamespace=true]\n          waveDelay: 100ms',
    );
}

describe('examples/gitops-promote', () => {
  it("staging's sync.succeeded syncs production at the same commit; a failed staging sync promotes nothing", async () => {
    const { spine } = world;
    await spine.run('eventsource', await spine.write('es.yaml', await example('eventsource.yaml')));
    await spine.run('sensor', await spine.write('staging.yaml', await example('staging.yaml')), {
      env: world.env,
    });
    await spine.run('sensor', await spine.write('promote.yaml', await example('promote.yaml')), {
      env: world.env,
    });
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    const image = async (namespace: string) =>
      (await apps.readNamespacedDeployment({ name: 'web', namespace })).spec?.template.spec?.containers[0]
        ?.image;
    const succeeded = async (sensor: string) =>
      ofType(await world.outcomes(), 'impulse.sync.succeeded').filter((e) => e.source === sensor);

    const good = await world.repo.commit({
      'deploy/web.yaml': deployment({ name: 'web', image: 'guestbook:1' }),
    });
    await spine.post('/push', { ref: 'refs/heads/main', after: good });
    const [production] = await waitFor(
      async () => {
        const events = await succeeded('promote');
        return events.length > 0 ? events : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200, message: 'the production sync' },
    );
    const [staging] = await succeeded('staging');
    expect(staging!.data).toMatchObject({ app: 'guestbook', revision: good, healthStatus: 'Healthy' });
    expect(production!.data).toMatchObject({ app: 'guestbook', revision: good, phase: 'Succeeded' });
    expect(await image('staging')).toBe('guestbook:1');
    expect(await image('production')).toBe('guestbook:1');

    // A commit that fails in staging never reaches production.
    const bad = await world.repo.commit({
      'deploy/web.yaml': deployment({
        name: 'web',
        image: 'guestbook:2',
        annotations: { 'emulator.impulse.dev/degrade': 'true' },
      }),
    });
    await spine.post('/push', { ref: 'refs/heads/main', after: bad });
    await waitFor(
      async () => ofType(await world.outcomes(), 'impulse.sync.failed').find((e) => e.data.revision === bad),
      { timeoutMs: 40_000, intervalMs: 200, message: 'the failed staging sync' },
    );
    expect(await succeeded('promote')).toHaveLength(1);
    expect(await image('production')).toBe('guestbook:1');
  }, 150_000);
});
