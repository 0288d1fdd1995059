import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSingle } from '../../../crds/index.ts';
import { type CloudEvent, createCloudEvent } from '../../../eventbus/index.ts';
import { compileDependency } from '../../../sensors/dependency.ts';
import { ARGO_COMPAT_DIR } from '../../support/paths.ts';

/**
 * Every filter example of Argo Events (../shared/compat/argo-events/sensors/filter-with-*.yaml), with
 * an event that passes and one that does not, as the comments in the examples describe. Several
 * examples read paths at the root of the event data (`a`, `b.c`); a webhook puts its body under
 * `body.`, so those events are written with the data at the root, as another source (or
 * `impulse send`) would publish them, and the last test shows a webhook-shaped event missing them.
 */
async function dependencyOf(example: string) {
  const { object } = await loadSingle(join(ARGO_COMPAT_DIR, 'sensors', example), 'Sensor');
  const dependency = object.spec.dependencies[0]!;
  return compileDependency(dependency, 'spec.dependencies[0]');
}

const event = (data: unknown, extra: { source?: string; time?: string } = {}): CloudEvent =>
  createCloudEvent({
    source: extra.source ?? 'webhook',
    type: 'webhook',
    subject: 'example',
    data,
    time: new Date(extra.time ?? '2026-05-04T03:00:00Z'),
  });

const abc = (a: unknown, c: unknown, e: unknown) => ({ a, c, d: { e } });

const EXAMPLES: Array<[file: string, passes: CloudEvent, fails: CloudEvent, why: RegExp]> = [
  [
    'filter-with-context.yaml',
    event({}, { source: 'custom-webhook' }),
    event({}, { source: 'webhook' }),
    /filters\.context: source is "webhook", expected "custom-webhook"/,
  ],
  [
    'filter-with-data-advanced.yaml',
    event({ a: true, b: { c: 3.14, d: 'hello, world' } }),
    event({ a: true, b: { c: 3.15, d: 'hello,world' } }),
    /filters\.data\[1\] \(b\.c\): 3\.15 does not match = number \["3\.14"\]/,
  ],
  [
    'filter-with-data-simple-1.yaml',
    event({ header: {}, body: { message: 'hey there' } }),
    event({ header: {}, body: { message: 'goodbye' } }),
    /filters\.data\[0\] \(body\.message\): "goodbye" does not match = string \["hello","hey"\]/,
  ],
  [
    'filter-with-data-simple-2.yaml',
    event({ bucket: 'argo-workflow-input' }),
    event({ bucket: 'other-bucket' }),
    /filters\.data\[0\] \(bucket\): "other-bucket" does not match/,
  ],
  [
    'filter-with-expressions.yaml',
    event({ a: 'b', 'a-longer-name': 1, nested: { path: { 'can-get': { longer: false } } } }),
    event({ a: 'x', 'a-longer-name': 9, nested: { path: { 'can-get': { longer: false } } } }),
    /filters\.exprs\[0\] \(a == "b" \|\| c == 10\): false with a = "x", c = 9/,
  ],
  [
    'filter-with-multiple-data-filters-in-or.yaml',
    event({ a: false, b: { c: 3.14, d: 'bye' } }),
    event({ a: false, b: { c: 1, d: 'bye' } }),
    /data\[0\].*; .*data\[1\].*; .*data\[2\] \(b\.d\): "bye" does not match/,
  ],
  [
    'filter-with-multiple-filters-in-or.yaml',
    event(abc('x', 30, false)),
    event(abc('x', 5, true)),
    /data\[2\] \(d\.e\): true does not match = bool \["false"\]; .*exprs\[1\] \(e == false\): false with e = true/,
  ],
  [
    'filter-with-multiple-filters-mixed.yaml',
    event(abc('b', 10, false)),
    event(abc('x', 30, true)),
    /data\[0\] \(a\): "x" does not match = string \["b"\]; .*exprs\[0\] \(a == "b" \|\| c == 10\): false with a = "x", c = 30/,
  ],
  [
    'filter-with-multiple-filters.yaml',
    event(abc('b', 10, false)),
    event(abc('b', 11, false)),
    /filters\.data\[1\] \(c\): 11 does not match = number \["10"\]/,
  ],
  [
    'filter-with-time.yaml',
    event({}, { time: '2026-05-04T03:00:00Z' }),
    event({}, { time: '2026-05-04T05:00:00Z' }),
    /filters\.time: event time 05:00:00 UTC is outside \[02:30:00, 04:30:00\)/,
  ],
];

describe('Argo Events filter examples', () => {
  it('covers every filter example of the corpus', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(join(ARGO_COMPAT_DIR, 'sensors')).filter((f) => f.startsWith('filter-with-'));
    expect(EXAMPLES.map((e) => e[0]).sort()).toEqual(files.sort());
  });

  it.each(EXAMPLES)(
    '%s: one event passes, one does not, and the reason says why',
    async (file, passes, fails, why) => {
      const dependency = await dependencyOf(file);
      expect(dependency.accepts(passes).pass).toBe(true);
      const verdict = dependency.accepts(fails);
      expect(verdict.pass).toBe(false);
      expect(verdict.reason).toMatch(why);
    },
  );

  it('shows the root-path quirk: a webhook puts the same data under body, where root paths miss it', async () => {
    const dependency = await dependencyOf('filter-with-data-simple-2.yaml');
    const fromWebhook = event({ header: {}, body: { bucket: 'argo-workflow-input' } });
    expect(dependency.accepts(fromWebhook)).toEqual({
      pass: false,
      reason: 'spec.dependencies[0].filters.data[0] (bucket): path does not exist in the event',
    });
  });

  it('matches strings anywhere, as Argo Events does: argo-workflow-input also passes a longer name', async () => {
    const dependency = await dependencyOf('filter-with-data-simple-2.yaml');
    expect(dependency.accepts(event({ bucket: 'not-argo-workflow-input-2' })).pass).toBe(true);
  });
});
