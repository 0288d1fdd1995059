import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { structuralViolations } from '../../crds/crd.ts';
import { CRD_DIR, renderCrdFiles } from '../../crds/generate.ts';
import { REPO_ROOT } from '../support/paths.ts';

const files = Object.entries(renderCrdFiles());

describe('generated CRDs', () => {
  it('writes one CRD per kind', () => {
    expect(files.map(([name]) => name).sort()).toEqual([
      'impulse.dev_eventbus.yaml',
      'impulse.dev_eventsources.yaml',
      'impulse.dev_sensors.yaml',
    ]);
  });

  it.each(files)('%s is committed as generated (run `npm run gen:crds` if this fails)', (name, text) => {
    const committed = readFileSync(join(REPO_ROOT, CRD_DIR, name), 'utf8');
    expect(committed).toBe(text);
  });

  it.each(files)('%s has a structural schema', (_name, text) => {
    const crd = parse(text);
    const version = crd.spec.versions[0];
    expect(structuralViolations(version.schema.openAPIV3Schema)).toEqual([]);
    expect(version.subresources).toEqual({ status: {} });
    expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toContain('Age');
  });

  it.each(files)('%s stays under 200 KiB', (_name, text) => {
    expect(Buffer.byteLength(text)).toBeLessThan(200 * 1024);
  });

  it('keeps embedded Kubernetes objects open and typed fields typed', () => {
    const sensor = parse(files.find(([n]) => n.includes('sensors'))![1]);
    const spec = sensor.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    const template = spec.properties.triggers.items.properties.template;
    expect(
      template.properties.k8s.properties.source.properties.resource['x-kubernetes-preserve-unknown-fields'],
    ).toBe(true);
    expect(template.properties.http.properties.url.type).toBe('string');
    expect(
      spec.properties.triggers.items.properties.retryStrategy.properties.duration[
        'x-kubernetes-int-or-string'
      ],
    ).toBe(true);
  });
});

describe('structural schema rules', () => {
  it('reports the violations a real API server would refuse', () => {
    expect(structuralViolations({ properties: { a: { type: 'string' } } })).toEqual(['$: has no type']);
    expect(structuralViolations({ type: 'object', additionalProperties: false })).toContain(
      '$: additionalProperties false is not allowed',
    );
    expect(
      structuralViolations({ type: 'object', properties: { a: { type: 'string', const: 'x' } } }),
    ).toContain('$.a: const is not allowed');
    expect(
      structuralViolations({
        type: 'object',
        properties: { a: { anyOf: [{ type: 'object', properties: {} }] } },
      }),
    ).toEqual(['$.a: has no type', '$.a.anyOf[0]: type, properties or description inside anyOf/oneOf/allOf']);
  });
});
