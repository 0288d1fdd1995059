import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createAjv } from '../../crds/ajv.ts';
import {
  EventSource,
  EventSourceSpec,
  SOURCE_TYPES,
  UNSUPPORTED_SOURCE_TYPES,
} from '../../crds/eventsource.ts';

const compatDir = new URL('../../../shared/compat/argo-events/event-sources/', import.meta.url);
const validate = createAjv().compile(EventSource);

function errorsOf(doc: unknown): string {
  validate(doc);
  return JSON.stringify(validate.errors ?? []);
}

/** A small valid EventSource whose spec holds `spec`. */
function eventSource(spec: Record<string, unknown>) {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'EventSource', metadata: { name: 'test' }, spec };
}

const githubEvent = {
  repositories: [{ owner: 'argoproj', names: ['argo-events'] }],
  webhook: { endpoint: '/push', port: '12000', method: 'POST' },
  events: ['push'],
};

describe('EventSource schema', () => {
  const files = readdirSync(compatDir).filter((name) => name.endsWith('.yaml'));

  it('finds the Argo Events examples', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('accepts the Argo Events example %s', (name) => {
    const text = readFileSync(fileURLToPath(new URL(name, compatDir)), 'utf8');
    for (const document of parseAllDocuments(text)) {
      const manifest = document.toJS();
      if (manifest?.kind !== 'EventSource') continue;
      expect(validate(manifest), errorsOf(manifest)).toBe(true);
    }
  });

  it('has a map in the spec for every supported source type and none for the unsupported ones', () => {
    const keys = Object.keys(EventSourceSpec.properties);
    for (const type of SOURCE_TYPES) expect(keys).toContain(type);
    for (const type of UNSUPPORTED_SOURCE_TYPES) expect(keys).not.toContain(type);
  });

  it('rejects an unknown field inside a github event', () => {
    const manifest = eventSource({ github: { example: { ...githubEvent, repo: 'argo-events' } } });
    expect(validate(manifest)).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({
        instancePath: '/spec/github/example',
        keyword: 'additionalProperties',
        params: { additionalProperty: 'repo' },
      }),
    );
  });

  it('rejects a webhook port written as a number (Argo reads it as a string)', () => {
    const manifest = eventSource({
      webhook: { example: { endpoint: '/example', method: 'POST', port: 12000 } },
    });
    expect(validate(manifest)).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/spec/webhook/example/port', keyword: 'type' }),
    );
  });

  it('rejects an unsupported source type as an unknown field', () => {
    const manifest = eventSource({ kafka: { example: { url: 'kafka:9092', topic: 't', partition: '0' } } });
    expect(validate(manifest)).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/spec', params: { additionalProperty: 'kafka' } }),
    );
  });

  it('keeps unknown fields inside embedded Kubernetes objects', () => {
    const manifest = eventSource({
      service: { ports: [{ port: 12000, targetPort: 12000, appProtocol: 'http', somethingNew: { a: 1 } }] },
      template: { volumes: [{ name: 'data', emptyDir: {}, futureField: true }] },
      github: { example: githubEvent },
    });
    expect(validate(manifest), errorsOf(manifest)).toBe(true);
  });

  it('checks enums and nested objects of the source configs', () => {
    const resource = (eventTypes: string[]) =>
      eventSource({ resource: { example: { version: 'v1', resource: 'pods', eventTypes } } });
    expect(validate(resource(['ADD', 'DELETE']))).toBe(true);
    expect(validate(resource(['CREATE']))).toBe(false);

    const calendar = (persistence: unknown) =>
      eventSource({ calendar: { example: { schedule: '*/5 * * * *', persistence } } });
    expect(validate(calendar({ catchup: { enabled: true, maxDuration: '1h' } }))).toBe(true);
    expect(validate(calendar({ catchup: { enabled: true, maxDurationx: '1h' } }))).toBe(false);

    const nats = (auth: unknown) =>
      eventSource({ nats: { example: { url: 'nats://n:4222', subject: 's', auth } } });
    expect(validate(nats({ token: { name: 'nats', key: 'token' } }))).toBe(true);
    expect(validate(nats({ password: { name: 'nats', key: 'password' } }))).toBe(false);
  });
});
