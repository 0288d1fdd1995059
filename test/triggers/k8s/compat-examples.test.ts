import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import { type Sensor, validateManifests } from '../../../crds/index.ts';
import { planSensor } from '../../../sensors/sensor-plan.ts';
import { ARGO_COMPAT_DIR } from '../../support/paths.ts';

const dir = join(ARGO_COMPAT_DIR, 'sensors');
const files = readdirSync(dir).filter((f) =>
  /\n\s+(k8s|argoWorkflow):/.test(readFileSync(join(dir, f), 'utf8')),
);

/** The secrets the examples reference (trigger-source-git, complete-trigger-parameterization). */
const secrets = createSecretResolver({
  env: Object.fromEntries(
    [
      'GITHUB_SECRET_USERNAME',
      'GITHUB_SECRET_PASSWORD',
      'GIT_SSH_KEY',
      'GITHUB_APP_PEM_PRIVATEKEY_PEM',
      'ARTIFACTS_MINIO_ACCESSKEY',
      'ARTIFACTS_MINIO_SECRETKEY',
    ].map((name) => [`IMPULSE_SECRET_${name}`, 'x']),
  ),
});

describe("Argo Events' k8s and argoWorkflow example sensors", () => {
  it('the corpus has them', () => {
    expect(files).toEqual(
      expect.arrayContaining(['webhook.yaml', 'special-workflow-trigger.yaml', 'trigger-source-git.yaml']),
    );
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files)('%s validates and its trigger drivers start', async (file) => {
    const { verdicts } = await validateManifests([join(dir, file)]);
    const verdict = verdicts[0]!;
    if (verdict.status !== 'valid') {
      // The two examples with a misplaced field are refused for that field, not for their trigger.
      expect(verdict.errors.map((e) => e.path)).toEqual([
        expect.stringMatching(/^spec\.triggers\[0\]\.template\.(policy|atLeastOnce)$/),
      ]);
      return;
    }
    const plan = planSensor(verdict.object as Sensor, {
      secrets,
      logger: silentLogger(),
      busName: 'default',
    });
    try {
      expect(plan.triggers.length).toBeGreaterThan(0);
    } finally {
      await Promise.all(plan.drivers.map((d) => d.close?.()));
    }
  });
});
