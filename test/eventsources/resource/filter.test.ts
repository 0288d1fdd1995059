import { afterEach, describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { parseManifestText, validateDocument } from '../../../crds/index.ts';
import { labelRequirement, passesFilter, resolveResource } from '../../../eventsources/resource/index.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import {
  createConfigMap,
  deleteConfigMap,
  type KubeWorld,
  kubeWorld,
  patchConfigMap,
  type RunningSource,
  runResourceSource,
} from './fixture.ts';

const base = { version: 'v1', resource: 'pods', eventTypes: ['ADD' as const] };
const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, creationTimestamp: '2024-04-06T12:00:00Z', ...extra },
  spec: { serviceAccountName: 'builder', replicas: 3 },
});
const live = { live: true, startedAt: Date.parse('2024-04-06T13:00:00Z') };

describe('resource filter (pure)', () => {
  it('prefix matches the start of the name', () => {
    const r = resolveResource({ ...base, filter: { prefix: 'web-' } }, 'spec.resource.x');
    expect(passesFilter(r, 'ADD', pod('web-1'), live)).toBe(true);
    expect(passesFilter(r, 'ADD', pod('api-1'), live)).toBe(false);
  });

  it('createdBy passes objects created at or before the time', () => {
    const r = resolveResource({ ...base, filter: { createdBy: '2024-04-06T12:00:00Z' } }, 'p');
    expect(passesFilter(r, 'ADD', pod('a'), live)).toBe(true);
    expect(passesFilter(r, 'ADD', pod('a', { creationTimestamp: '2024-04-06T12:00:01Z' }), live)).toBe(false);
  });

  it('fields: gjson path, unanchored RE2 value, = / == / != (none means =), a missing path fails', () => {
    const r = (fields: Array<{ key: string; operation?: '=' | '==' | '!='; value?: string }>) =>
      resolveResource({ ...base, filter: { fields } }, 'p');
    expect(passesFilter(r([{ key: 'spec.serviceAccountName', value: 'build' }]), 'ADD', pod('a'), live)).toBe(
      true,
    );
    expect(
      passesFilter(
        r([{ key: 'spec.serviceAccountName', operation: '==', value: '^builder$' }]),
        'ADD',
        pod('a'),
        live,
      ),
    ).toBe(true);
    expect(
      passesFilter(
        r([{ key: 'spec.serviceAccountName', operation: '!=', value: 'build' }]),
        'ADD',
        pod('a'),
        live,
      ),
    ).toBe(false);
    expect(
      passesFilter(
        r([{ key: 'metadata.name', operation: '=', value: 'my.*' }]),
        'ADD',
        pod('my-workflow'),
        live,
      ),
    ).toBe(true);
    expect(
      passesFilter(r([{ key: 'spec.missing', operation: '!=', value: 'x' }]), 'ADD', pod('a'), live),
    ).toBe(false);
    // Numbers compare by their text (Argo Events compares the empty string).
    expect(passesFilter(r([{ key: 'spec.replicas', value: '^3$' }]), 'ADD', pod('a'), live)).toBe(true);
  });

  it('afterStart drops what the first listing found unless created in or after the start second; live changes pass', () => {
    const r = resolveResource({ ...base, filter: { afterStart: true } }, 'p');
    const startedAt = Date.parse('2024-04-06T12:00:00.700Z');
    expect(
      passesFilter(r, 'ADD', pod('old', { creationTimestamp: '2024-04-06T11:59:59Z' }), {
        live: false,
        startedAt,
      }),
    ).toBe(false);
    expect(passesFilter(r, 'ADD', pod('same-second'), { live: false, startedAt })).toBe(true);
    expect(
      passesFilter(r, 'UPDATE', pod('old', { creationTimestamp: '2020-01-01T00:00:00Z' }), {
        live: true,
        startedAt,
      }),
    ).toBe(true);
  });

  it('labels become the API selector, in Kubernetes syntax', () => {
    const labels = [
      { key: 'app', value: 'web' },
      { key: 'app', operation: '==' as const, value: 'web' },
      { key: 'tier', operation: '!=' as const, value: 'db' },
      { key: 'env', operation: 'in' as const, value: 'a,b' },
      { key: 'env', operation: 'notin' as const, value: 'c' },
      { key: 'example.com/owner', operation: 'exists' as const },
      { key: 'skip', operation: '!' as const },
      { key: 'rank', operation: 'gt' as const, value: '2' },
      { key: 'rank', operation: 'lt' as const, value: '9' },
    ];
    expect(labels.map(labelRequirement)).toEqual([
      'app=web',
      'app==web',
      'tier!=db',
      'env in (a,b)',
      'env notin (c)',
      'example.com/owner',
      '!skip',
      'rank>2',
      'rank<9',
    ]);
    expect(resolveResource({ ...base, filter: { labels: labels.slice(0, 2) } }, 'p').labelSelector).toBe(
      'app=web,app==web',
    );
  });

  it('refuses bad selectors at load, naming the field', () => {
    const manifest = (filter: unknown) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'EventSource',
      metadata: { name: 'r' },
      spec: { resource: { ev: { ...base, filter } } },
    });
    const problems = (filter: unknown) => {
      const { documents } = parseManifestText('es.yaml', JSON.stringify(manifest(filter)));
      const verdict = validateDocument(documents[0]!);
      return verdict.errors.map((e) => `${e.path}: ${e.message}`);
    };
    expect(problems({ labels: [{ key: 'app', operation: 'gt', value: 'x' }] }).join()).toMatch(
      /filter\.labels\[0\].*integer/,
    );
    expect(problems({ labels: [{ key: 'bad key', value: 'x' }] }).join()).toMatch(/not a label key/);
    expect(problems({ fields: [{ key: 'spec.x', operation: 'in', value: 'x' }] }).join()).toMatch(
      /filter\.fields\[0\].*"=", "==" or "!="/,
    );
    expect(problems({ fields: [{ key: 'spec.x', value: '(' }] }).join()).toMatch(/RE2/);
    expect(problems({ labels: [{ key: 'app', value: 'web' }], fields: [{ key: 'a', value: 'b' }] })).toEqual(
      [],
    );
    try {
      resolveResource(
        { ...base, filter: { labels: [{ key: 'app', operation: 'exists', value: 'x' }] } },
        'spec.resource.ev',
      );
      expect.unreachable();
    } catch (err) {
      expect(isImpulseError(err, 'INVALID_MANIFEST')).toBe(true);
      expect((err as Error).message).toMatch(
        /^spec\.resource\.ev\.filter\.labels\[0\]: operation "exists" takes no value/,
      );
    }
  });
});

describe('resource filter (against the emulator)', () => {
  let world: KubeWorld | undefined;
  let source: RunningSource | undefined;
  afterEach(async () => {
    await source?.stop();
    await world?.close();
    source = undefined;
    world = undefined;
  });

  it('labels select on the server: objects entering the selection are ADDs, leaving it DELETEs', async () => {
    world = await kubeWorld();
    const w = world;
    source = await runResourceSource(
      {
        namespace: w.namespace,
        version: 'v1',
        resource: 'configmaps',
        eventTypes: ['ADD', 'UPDATE', 'DELETE'],
        filter: { labels: [{ key: 'app', operation: 'in', value: 'web,api' }], prefix: 'cm-' },
      },
      () => w.proxied(),
    );
    const s = source;
    await createConfigMap(w, 'cm-web', {}, { app: 'web' });
    await createConfigMap(w, 'cm-db', {}, { app: 'db' });
    await createConfigMap(w, 'other', {}, { app: 'web' });
    await patchConfigMap(w, 'cm-db', { metadata: { labels: { app: 'api' } } });
    await patchConfigMap(w, 'cm-web', { metadata: { labels: { app: 'db' } } });
    await deleteConfigMap(w, 'cm-db');
    await waitFor(() => s.seen().length === 4);
    await staysTrue(() => s.seen().length === 4, { forMs: 300 });
    expect(s.seen()).toEqual(['ADD cm-web', 'ADD cm-db', 'DELETE cm-web', 'DELETE cm-db']);
  });

  it('afterStart: objects that existed are not ADDs, changes to them after the start are UPDATEs', async () => {
    world = await kubeWorld();
    const w = world;
    const existing = await createConfigMap(w, 'existing');
    // Creation times have whole seconds: start in a later second than the object's.
    const created = new Date(existing.metadata!.creationTimestamp!).getTime();
    await waitFor(() => Date.now() >= created + 1000, { timeoutMs: 2000 });
    source = await runResourceSource(
      {
        namespace: w.namespace,
        version: 'v1',
        resource: 'configmaps',
        eventTypes: ['ADD', 'UPDATE'],
        filter: { afterStart: true },
      },
      () => w.proxied(),
    );
    const s = source;
    await createConfigMap(w, 'fresh');
    await patchConfigMap(w, 'existing', { data: { a: '1' } });
    await waitFor(() => s.seen().length === 2);
    await staysTrue(() => s.seen().length === 2, { forMs: 300 });
    expect(s.seen()).toEqual(['ADD fresh', 'UPDATE existing']);
  });
});
