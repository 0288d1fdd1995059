import { describe, expect, it } from 'vitest';
import { parseManifestText, validateDocument } from '../../../crds/index.ts';

function problems(argocd: Record<string, unknown>, parameters?: unknown[]): string[] {
  const sensor = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Sensor',
    metadata: { name: 's' },
    spec: {
      dependencies: [{ name: 'd', eventSourceName: 'e', eventName: 'x' }],
      triggers: [{ template: { name: 't', argocd }, ...(parameters ? { parameters } : {}) }],
    },
  };
  const { documents } = parseManifestText('sensor.yaml', JSON.stringify(sensor));
  return validateDocument(documents[0]!).errors.map((e) => `${e.path}: ${e.message}`);
}

describe('argocd trigger validation', () => {
  it('needs server and token in rest mode, unless a parameter sets them', () => {
    expect(problems({ app: 'a' })).toEqual([
      expect.stringMatching(/^spec\.triggers\[0\]\.template\.argocd\.server: is required in rest mode/),
      expect.stringMatching(/^spec\.triggers\[0\]\.template\.argocd\.token: is required in rest mode/),
    ]);
    expect(
      problems({ app: 'a', token: { name: 'argocd', key: 'token' } }, [
        { src: { dependencyName: 'd', dataKey: 'body.server' }, dest: 'argocd.server' },
      ]),
    ).toEqual([]);
  });

  it('refuses REST fields in kubernetes mode, a bad timeout, an unknown field and an unknown mode', () => {
    expect(problems({ app: 'a', mode: 'kubernetes', server: 'https://x', timeout: 'soon' })).toEqual([
      expect.stringMatching(/argocd\.server: is only used with mode: rest/),
      expect.stringMatching(/argocd\.timeout: expected a Go duration/),
    ]);
    expect(problems({ app: 'a', mode: 'kubernetes', wiat: true }).join()).toMatch(/wiat/);
    expect(problems({ app: 'a', mode: 'grpc' }).join()).toMatch(/argocd\.mode/);
  });

  it('accepts a complete REST trigger', () => {
    expect(
      problems({
        app: 'guestbook',
        server: 'https://argocd.example.com',
        token: { name: 'argocd', key: 'token' },
        revision: 'main',
        prune: true,
        syncOptions: ['ServerSideApply=true'],
        resources: [{ kind: 'Deployment', name: 'web' }],
        wait: true,
        timeout: '10m',
      }),
    ).toEqual([]);
  });
});
