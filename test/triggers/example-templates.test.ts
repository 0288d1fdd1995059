import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObjects, type Trigger } from '../../crds/index.ts';
import { createCloudEvent } from '../../eventbus/index.ts';
import { compileDataFilter } from '../../sensors/filters/index.ts';
import { buildHttpRequest, createFiring, resolveTemplate } from '../../triggers/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

describe('examples/templates', () => {
  it('filters with a template and builds the payload its comment shows', async () => {
    const { sensors } = await loadObjects([join(REPO_ROOT, 'examples/templates')]);
    const sensor = sensors.find((s) => s.object.metadata.name === 'templates')!.object;
    const data = {
      ref: 'refs/heads/main',
      after: '2c065a0123456789',
      repository: { name: 'Shop API' },
      pusher: { name: 'ada' },
    };
    const event = createCloudEvent({
      id: 'e1',
      source: 'templates',
      type: 'webhook',
      subject: 'push',
      data: { body: data },
    });

    const filter = sensor.spec.dependencies[0]!.filters!.data![0]!;
    expect(compileDataFilter(filter, 'f')(event.data).pass).toBe(true);
    const featureBranch = { body: { ...data, ref: 'refs/heads/feature-x' } };
    expect(compileDataFilter(filter, 'f')(featureBranch).pass).toBe(false);

    const trigger = sensor.spec.triggers[0] as Trigger;
    const firing = createFiring('default', 'templates', 'notify', { push: event });
    const { spec } = resolveTemplate(trigger, firing);
    const request = buildHttpRequest(spec as Parameters<typeof buildHttpRequest>[0], firing);
    expect(JSON.parse(request.body!)).toEqual({
      title: 'Shop API: main at 2c065a0',
      app: 'shop-api-main',
      from: 'templates/push',
      pusher: 'ada',
    });

    // Without a pusher, the template's default applies.
    const sparse = createCloudEvent({
      id: 'e2',
      source: 'templates',
      type: 'webhook',
      subject: 'push',
      data: { body: { ref: 'refs/heads/main', after: 'abc', repository: { name: 'x y' } } },
    });
    const sparseFiring = createFiring('default', 'templates', 'notify', { push: sparse });
    const body = JSON.parse(
      buildHttpRequest(resolveTemplate(trigger, sparseFiring).spec as never, sparseFiring).body!,
    );
    expect(body).toMatchObject({ pusher: 'someone', app: 'x-y-main' });
  });
});
