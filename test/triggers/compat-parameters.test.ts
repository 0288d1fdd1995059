import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadObjects, type Sensor, type Trigger, type TriggerParameter } from '../../crds/index.ts';
import { type CloudEvent, createCloudEvent } from '../../eventbus/index.ts';
import {
  applyParameters,
  buildHttpRequest,
  constructPayload,
  createFiring,
  resolveTemplate,
  setAtPath,
} from '../../triggers/index.ts';
import { ARGO_COMPAT_DIR } from '../support/paths.ts';

/**
 * Every Argo Events example sensor that uses parameters or templates, resolved against an event as
 * Argo Events would resolve it: the trigger-level parameters patch the template, then the type's own
 * parameters patch its resource (or request, or message).
 */
const SENSORS_DIR = join(ARGO_COMPAT_DIR, 'sensors');
const sensors = new Map<string, Sensor>();

beforeAll(async () => {
  const files = readdirSync(SENSORS_DIR).filter((f) => f.endsWith('.yaml'));
  for (const file of files) {
    const loaded = await loadObjects([join(SENSORS_DIR, file)]).catch(() => undefined);
    const sensor = loaded?.sensors[0]?.object;
    if (sensor) sensors.set(file, sensor);
  }
});

function event(
  dependency: string,
  data: unknown,
  subject = 'example',
  source = 'webhook',
): Record<string, CloudEvent> {
  return {
    [dependency]: createCloudEvent({ id: `${dependency}-1`, source, type: 'webhook', subject, data }),
  };
}

interface Resolved {
  name: string;
  type: string;
  spec: Record<string, unknown>;
  /** The inline resource (k8s, argoWorkflow) with the type's parameters applied. */
  resource?: unknown;
}

function resolve(file: string, events: Record<string, CloudEvent>, index = 0): Resolved {
  const sensor = sensors.get(file);
  if (!sensor) throw new Error(`${file} did not load`);
  const trigger = sensor.spec.triggers[index] as Trigger;
  const firing = createFiring('default', sensor.metadata.name!, trigger.template.name, events);
  const { template, type, spec } = resolveTemplate(trigger, firing);
  const block = spec as Record<string, unknown>;
  const source = block.source as { resource?: unknown } | undefined;
  const resource =
    source?.resource === undefined
      ? undefined
      : applyParameters(source.resource, block.parameters as TriggerParameter[] | undefined, events);
  return { name: template.name, type, spec: block, resource };
}

describe('Argo Events compat: parameters and templates', () => {
  it('trigger-with-template.yaml: dataTemplate and contextTemplate with Sprig, append to generateName', () => {
    const events = event('test-dep', { body: { message: 'deploy now', name: ' My  App ' } });
    const { resource } = resolve('trigger-with-template.yaml', events);
    expect(resource).toMatchObject({
      metadata: { generateName: 'webhook-myapp-' },
      spec: {
        arguments: {
          parameters: [
            { name: 'message', value: 'Deploy Now' },
            { name: 'subject', value: 'Example' },
          ],
        },
      },
    });
    // Argo Workflows' own {{inputs.parameters...}} placeholders are not Go templates here: untouched.
    expect(JSON.stringify(resource)).toContain(
      '{{inputs.parameters.message}} from {{inputs.parameters.subject}}',
    );
  });

  it('complete-trigger-parameterization.yaml: trigger-level parameters patch the template, append the port', () => {
    const events = event('test-dep', {
      name: 'trigger-wf-1',
      namespace: 'argo-events',
      bucket: 'mybucket',
      port: '9000',
      key: 'hello.yaml',
      image: 'docker/busybox',
    });
    const { name, spec } = resolve('complete-trigger-parameterization.yaml', events);
    expect(name).toBe('trigger-wf-1');
    expect(spec.source).toMatchObject({
      s3: { bucket: { name: 'mybucket', key: 'hello.yaml' }, endpoint: 'minio-service.argo-events:90009000' },
    });
    // k8s.parameters apply to the workflow fetched from S3; applied here to one such workflow.
    const workflow = { metadata: { name: 'w' }, spec: { templates: [{ container: { image: 'old' } }] } };
    expect(applyParameters(workflow, spec.parameters as TriggerParameter[], events)).toEqual({
      metadata: { name: 'w', namespace: 'argo-events' },
      spec: { templates: [{ container: { image: 'docker/busybox' } }] },
    });
  });

  it('github.yaml: dataKey numbers as strings, substr on the head sha, appended to metadata.name', () => {
    const events = event('test-dep', {
      headers: { 'X-Github-Event': ['pull_request'] },
      body: {
        action: 'opened',
        pull_request: {
          title: 'Fix it',
          number: 21500,
          state: 'open',
          base: { ref: 'master' },
          head: { sha: '2c065a0123456789' },
        },
      },
    });
    const { resource } = resolve('github.yaml', events);
    expect(resource).toMatchObject({
      metadata: { generateName: 'github-', name: '21500-2c065a0' },
      spec: {
        arguments: {
          parameters: [
            { name: 'pr-title', value: 'Fix it' },
            { name: 'pr-number', value: '21500' },
            { name: 'short-sha', value: '2c065a0' },
          ],
        },
      },
    });
  });

  it('http-trigger.yaml: payload from a data key and a context key', () => {
    const events = event(
      'test-dep',
      { notification: [{ s3: { bucket: { name: 'photos' } } }] },
      'example',
      'minio',
    );
    const sensor = sensors.get('http-trigger.yaml')!;
    const trigger = sensor.spec.triggers[0] as Trigger;
    const firing = createFiring('default', 'http-trigger', trigger.template.name, events);
    const { spec } = resolveTemplate(trigger, firing);
    const request = buildHttpRequest(spec as Parameters<typeof buildHttpRequest>[0], firing);
    expect(request.method).toBe('POST');
    expect(request.url.href).toBe('http://http-server.argo-events.svc:8090/hello');
    expect(JSON.parse(request.body!)).toEqual({ bucket: 'photos', type: 'webhook' });
  });

  it('trigger-nats-messages.yaml: the message body from two data keys', () => {
    const events = event('test-dep', {
      notification: [{ s3: { bucket: { name: 'b' }, object: { key: 'k.txt' } } }],
    });
    const { spec } = resolve('trigger-nats-messages.yaml', events);
    expect(JSON.parse(constructPayload(spec.payload as TriggerParameter[], events)!)).toEqual({
      fileName: 'k.txt',
      bucket: 'b',
    });
  });

  it('multi-dependencies.yaml: each parameter from its own dependency', () => {
    const events = {
      ...event('test-dependency-webhook', { body: { a: 'from webhook' } }),
      ...event(
        'test-dependency-calendar',
        { eventTime: '2026-01-02 15:04:05 +0000 UTC' },
        'example-with-interval',
        'calendar',
      ),
    };
    const { resource } = resolve('multi-dependencies.yaml', events);
    expect((resource as { spec: { arguments: unknown } }).spec.arguments).toEqual({
      parameters: [
        { name: 'message1', value: 'from webhook' },
        { name: 'message2', value: '2026-01-02 15:04:05 +0000 UTC' },
      ],
    });
  });

  it.each([
    ['webhook.yaml', 'spec.arguments.parameters.0.value'],
    ['special-workflow-trigger.yaml', 'spec.arguments.parameters.0.value'],
    ['trigger-standard-k8s-resource.yaml', 'spec.containers.0.args.0'],
  ])('%s: a dataKey that finds an object writes its JSON text', (file, dest) => {
    const { resource } = resolve(file, event('test-dep', { body: { message: 'hi', n: 1 } }));
    const at = dest
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], resource);
    expect(at).toBe('{"message":"hi","n":1}');
  });

  it('every other example sensor with parameters resolves without error', () => {
    const withParameters = [...sensors.entries()].filter(([, s]) =>
      JSON.stringify(s.spec.triggers).includes('"src"'),
    );
    expect(withParameters.length).toBeGreaterThanOrEqual(25);
    for (const [file, sensor] of withParameters) {
      // An event carrying every path the sensor's parameters read.
      const text = JSON.stringify(sensor.spec.triggers);
      const keys = [
        ...[...text.matchAll(/"dataKey":"([^"]+)"/g)].map((m) => m[1]!),
        ...[...text.matchAll(/\.Input\.([\w.]+)/g)].map((m) => m[1]!),
      ];
      const data = keys.reduce<unknown>((doc, key) => setAtPath(doc, key, 'v'), {});
      const events = Object.fromEntries(
        sensor.spec.dependencies.map((d) => [d.name, event(d.name, data)[d.name]!]),
      );
      sensor.spec.triggers.forEach((_, i) => {
        const resolved = resolve(file, events, i);
        expect(resolved.type, file).toBeTruthy();
      });
    }
  });
});
