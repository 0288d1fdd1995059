import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, validateManifests } from '../../crds/index.ts';
import { ARGO_COMPAT_DIR } from '../support/paths.ts';

/**
 * The verdict for every Argo Events example in ../shared/compat/argo-events. `valid`, or the exact
 * error messages expected. The README's compatibility table says the same.
 */
const VERDICTS: Record<string, 'valid' | string[]> = {
  'event-sources/amqp.yaml': 'valid',
  'event-sources/bitbucket.yaml': 'valid',
  'event-sources/bitbucketserver.yaml': 'valid',
  'event-sources/calendar.yaml': 'valid',
  'event-sources/file.yaml': 'valid',
  'event-sources/github.yaml': 'valid',
  'event-sources/gitlab.yaml': 'valid',
  'event-sources/mqtt.yaml': 'valid',
  'event-sources/nats.yaml': 'valid',
  'event-sources/redis-streams.yaml': 'valid',
  'event-sources/redis.yaml': 'valid',
  'event-sources/resource.yaml': 'valid',
  'event-sources/webhook.yaml': 'valid',
  'sensors/amqp.yaml': 'valid',
  'sensors/bitbucket.yaml': 'valid',
  'sensors/bitbucketserver.yaml': 'valid',
  'sensors/calendar.yaml': 'valid',
  'sensors/complete-trigger-parameterization.yaml': 'valid',
  'sensors/dependencies-conditions.yaml': 'valid',
  'sensors/file.yaml': 'valid',
  'sensors/filter-with-context.yaml': 'valid',
  'sensors/filter-with-data-advanced.yaml': 'valid',
  'sensors/filter-with-data-simple-1.yaml': 'valid',
  'sensors/filter-with-data-simple-2.yaml': 'valid',
  'sensors/filter-with-expressions.yaml': 'valid',
  'sensors/filter-with-multiple-data-filters-in-or.yaml': 'valid',
  'sensors/filter-with-multiple-filters-in-or.yaml': 'valid',
  'sensors/filter-with-multiple-filters-mixed.yaml': 'valid',
  'sensors/filter-with-multiple-filters.yaml': 'valid',
  'sensors/filter-with-time.yaml': 'valid',
  'sensors/github.yaml': 'valid',
  'sensors/gitlab.yaml': 'valid',
  'sensors/http-trigger.yaml': 'valid',
  'sensors/log.yaml': 'valid',
  'sensors/multi-dependencies.yaml': 'valid',
  'sensors/nats.yaml': 'valid',
  'sensors/redis-streams.yaml': 'valid',
  'sensors/redis.yaml': 'valid',
  'sensors/resource.yaml': 'valid',
  'sensors/special-workflow-trigger.yaml': 'valid',
  'sensors/trigger-nats-messages.yaml': 'valid',
  'sensors/trigger-source-git.yaml': 'valid',
  'sensors/trigger-standard-k8s-resource.yaml': 'valid',
  'sensors/trigger-with-atleast-once-semantics.yaml': [
    'spec.triggers[0].template.atLeastOnce: is not a field here; atLeastOnce belongs at spec.triggers[0].atLeastOnce',
  ],
  'sensors/trigger-with-policy.yaml': [
    'spec.triggers[0].template.policy: is not a field here; policy belongs at spec.triggers[0].policy',
  ],
  'sensors/trigger-with-template.yaml': 'valid',
  'sensors/url-sensor.yaml': 'valid',
  'sensors/webhook.yaml': 'valid',
};

const corpus = ['event-sources', 'sensors'].flatMap((dir) =>
  readdirSync(join(ARGO_COMPAT_DIR, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `${dir}/${f}`),
);

describe('Argo Events examples load unchanged', () => {
  it('has a verdict for every file in the corpus, and no verdict for a file that is gone', () => {
    expect(corpus.sort()).toEqual(Object.keys(VERDICTS).sort());
  });

  it.each(Object.entries(VERDICTS))('%s', async (file, expected) => {
    const { verdicts, parseIssues } = await validateManifests([join(ARGO_COMPAT_DIR, file)]);
    expect(parseIssues).toEqual([]);
    expect(verdicts).toHaveLength(1);
    const verdict = verdicts[0]!;
    if (expected === 'valid') {
      expect(verdict.errors.map(formatIssue)).toEqual([]);
      expect(verdict.status).toBe('valid');
    } else {
      expect(verdict.status).toBe('invalid');
      expect(verdict.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(expected);
      // Each error points at the line of the misplaced field.
      for (const error of verdict.errors) expect(error.line).toBeGreaterThan(1);
    }
  });
});
