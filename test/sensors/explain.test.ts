import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import type { Sensor } from '../../crds/index.ts';
import { type CloudEvent, createCloudEvent } from '../../eventbus/index.ts';
import { explainSensor } from '../../sensors/explain.ts';

const event = (id: string, subject: string, data: unknown): { label: string; event: CloudEvent } => ({
  label: `${id}.json`,
  event: createCloudEvent({
    id,
    source: 'hooks',
    type: 'webhook',
    subject,
    data,
    time: new Date('2026-05-04T10:00:00Z'),
  }),
});

const sensor = (spec: Partial<Sensor['spec']>): Sensor => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Sensor',
  metadata: { name: 'release', namespace: 'ci' },
  spec: {
    dependencies: [
      {
        name: 'build',
        eventSourceName: 'hooks',
        eventName: 'build',
        filters: { data: [{ path: 'body.status', type: 'string', value: ['^ok$'] }] },
      },
      { name: 'approve', eventSourceName: 'hooks', eventName: 'approve' },
    ],
    triggers: [{ template: { name: 'log', log: {} } }],
    ...spec,
  } as Sensor['spec'],
});

const secrets = (env: Record<string, string> = {}) => createSecretResolver({ env });

describe('explainSensor', () => {
  it('holds events until the condition holds, then fires with the latest of each and releases them', () => {
    const result = explainSensor(
      sensor({}),
      [
        event('b1', 'build', { body: { status: 'ok' } }),
        event('b2', 'build', { body: { status: 'ok' } }),
        event('a1', 'approve', {}),
        event('a2', 'approve', {}),
      ],
      secrets(),
    );
    expect(result.events.map((e) => e.fired.map((f) => f.events))).toEqual([
      [],
      [],
      [{ build: 'b2', approve: 'a1' }],
      [],
    ]);
    expect(result.triggers).toEqual([
      {
        trigger: 'log',
        dependencies: ['build', 'approve'],
        fired: 1,
        held: [{ dependency: 'approve', event: 'a2' }],
      },
    ]);
  });

  it('reports each filter, and does not hold an event its filters drop', () => {
    const result = explainSensor(
      sensor({}),
      [event('b1', 'build', { body: { status: 'failed' } }), event('a1', 'approve', {})],
      secrets(),
    );
    expect(result.events[0]!.dependencies).toEqual([
      {
        name: 'build',
        operator: 'and',
        pass: false,
        reason:
          'spec.dependencies[0].filters.data[0] (body.status): "failed" does not match = string ["^ok$"]',
        filters: [
          {
            kind: 'data',
            filter: 'spec.dependencies[0].filters.data[0]',
            pass: false,
            reason:
              'spec.dependencies[0].filters.data[0] (body.status): "failed" does not match = string ["^ok$"]',
          },
        ],
      },
    ]);
    expect(result.triggers[0]!.fired).toBe(0);
    expect(result.triggers[0]!.held).toEqual([{ dependency: 'approve', event: 'a1' }]);
  });

  it('follows trigger conditions, and lists events no dependency listens to', () => {
    const result = explainSensor(
      sensor({
        triggers: [
          { template: { name: 'either', conditions: 'build || approve', log: {} } },
          { template: { name: 'approved', conditions: 'approve', log: {} } },
        ],
      }),
      [event('x1', 'other', {}), event('a1', 'approve', {})],
      secrets(),
    );
    expect(result.events[0]!.dependencies).toEqual([]);
    expect(result.events[1]!.fired.map((f) => f.trigger)).toEqual(['either', 'approved']);
    expect(result.triggers.map((t) => t.dependencies)).toEqual([['build', 'approve'], ['approve']]);
  });

  it('joins events per correlationKey value within the correlation window, as the running sensor does', () => {
    const keyed = sensor({
      correlationWindow: '10m',
      dependencies: [
        { name: 'build', eventSourceName: 'hooks', eventName: 'build', correlationKey: 'body.pr' },
        { name: 'approve', eventSourceName: 'hooks', eventName: 'approve', correlationKey: 'body.pr' },
      ],
    } as Partial<Sensor['spec']>);
    const at = (e: { label: string; event: CloudEvent }, time: string) => ({
      ...e,
      event: { ...e.event, time },
    });
    const result = explainSensor(
      keyed,
      [
        at(event('b1', 'build', { body: { pr: 1 } }), '2026-05-04T10:00:00Z'),
        at(event('b2', 'build', { body: { pr: 2 } }), '2026-05-04T10:01:00Z'),
        at(event('a2', 'approve', { body: { pr: 2 } }), '2026-05-04T10:02:00Z'),
        at(event('a1', 'approve', { body: { pr: 1 } }), '2026-05-04T10:30:00Z'),
        at(event('a0', 'approve', { body: {} }), '2026-05-04T10:31:00Z'),
      ],
      secrets(),
    );
    expect(result.events.map((e) => e.fired.map((f) => [f.key, f.events]))).toEqual([
      [],
      [],
      [['2', { approve: 'a2', build: 'b2' }]],
      [],
      [],
    ]);
    expect(result.events[3]!.notes).toEqual([
      "trigger log: build's event b1 waited past the correlation window; dropped",
    ]);
    expect(result.events[4]!.notes).toEqual([
      "trigger log: the event has no value at approve's correlationKey, so it is not held",
    ]);
    expect(result.triggers[0]!.held).toEqual([{ dependency: 'approve', event: 'a1', key: '1' }]);
  });

  it('resolves an http trigger to its request with secrets masked, and the firing id as Idempotency-Key', () => {
    const result = explainSensor(
      sensor({
        triggers: [
          {
            template: {
              name: 'notify',
              conditions: 'approve',
              http: {
                url: 'https://bot:hunter22@example.com/hooks?x=1',
                method: 'PUT',
                headers: { 'X-Team': 'ci' },
                secureHeaders: [
                  { name: 'Authorization', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
                ],
                basicAuth: {
                  username: { name: 'api', key: 'user' },
                  password: { name: 'api', key: 'password' },
                },
                payload: [
                  { src: { dependencyName: 'approve', dataKey: 'body.who' }, dest: 'who' },
                  { src: { dependencyName: 'approve', dataKey: 'body.note' }, dest: 'note' },
                ],
              },
            },
          },
        ],
      }),
      [event('a1', 'approve', { body: { who: 'ada', note: 'token s3cr3t-value leaked' } })],
      secrets({ IMPULSE_SECRET_API_TOKEN: 's3cr3t-value', IMPULSE_SECRET_API_USER: 'bot' }),
    );
    const firing = result.events[0]!.fired[0]!;
    expect(firing.error).toBeUndefined();
    expect(firing.preview!.request).toEqual({
      method: 'PUT',
      url: 'https://bot:***@example.com/hooks?x=1',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': firing.firingId,
        'X-Team': 'ci',
        authorization: 'Basic ***',
      },
      body: { who: 'ada', note: 'token *** leaked' },
      timeoutSeconds: 60,
    });
    expect(JSON.stringify(result)).not.toContain('s3cr3t-value');
  });

  it('shows a Kubernetes object with its parameters applied, and notes types this version cannot run', () => {
    const result = explainSensor(
      sensor({
        triggers: [
          {
            template: {
              name: 'job',
              conditions: 'approve',
              k8s: {
                operation: 'create',
                source: {
                  resource: { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'x-' } },
                },
                parameters: [
                  { src: { dependencyName: 'approve', dataKey: 'body.who' }, dest: 'metadata.labels.who' },
                ],
              },
            },
          },
        ],
      }),
      [event('a1', 'approve', { body: { who: 'ada' } })],
      secrets(),
    );
    const preview = result.events[0]!.fired[0]!.preview!;
    expect(preview.operation).toBe('create');
    expect(preview.resource).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { generateName: 'x-', labels: { who: 'ada' } },
    });
    if (preview.note) expect(preview.note).toMatch(/"k8s" is not implemented in this version/);
  });

  it('reports a firing that cannot be resolved instead of stopping', () => {
    const result = explainSensor(
      sensor({
        triggers: [
          {
            template: {
              name: 'bad-url',
              conditions: 'approve',
              http: {
                url: 'http://example.com',
                parameters: [{ src: { dependencyName: 'approve', dataKey: 'body.url' }, dest: 'url' }],
              },
            },
          },
        ],
      }),
      [event('a1', 'approve', { body: { url: 'not a url' } })],
      secrets(),
    );
    expect(result.events[0]!.fired[0]!.error).toBe('http trigger: "not a url" is not a valid URL');
  });

  it('says it cannot judge script filters, rather than judging without them', () => {
    let err: unknown;
    try {
      explainSensor(
        sensor({
          dependencies: [
            { name: 'd', eventSourceName: 'hooks', eventName: 'e', filters: { script: 'return true' } },
          ],
          triggers: [{ template: { name: 't', log: {} } }],
        }),
        [],
        secrets(),
      );
    } catch (e) {
      err = e;
    }
    expect(isImpulseError(err, 'UNSUPPORTED')).toBe(true);
  });
});
