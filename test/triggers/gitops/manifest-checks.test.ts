import { describe, expect, it } from 'vitest';
import { parseManifestText, validateDocument } from '../../../crds/index.ts';

/** Validates a sensor whose one trigger has the given `gitops` lines (indented by ten spaces). */
function verdict(gitops: string, triggerLines = '') {
  const { documents } = parseManifestText(
    'sensor.yaml',
    `apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: deploy}
spec:
  dependencies:
    - {name: push, eventSourceName: github, eventName: repo}
  triggers:
    - template:
        name: sync
        gitops:
${gitops}
${triggerLines}`,
  );
  const v = validateDocument(documents[0]!);
  return {
    status: v.status,
    errors: v.errors.map((e) => `${e.path}: ${e.message}`),
    warnings: v.warnings.map((e) => `${e.path}: ${e.message}`),
  };
}

const base = `          name: guestbook
          repoURL: https://github.com/example/guestbook.git
          destination: {namespace: guestbook}`;

describe('gitops trigger manifest checks', () => {
  it('accepts every field with its Argo CD spelling', () => {
    const v = verdict(`${base}
          revision: main
          path: deploy
          directory: {recurse: true, include: "*.yaml"}
          syncOptions: [CreateNamespace=true, PruneLast=true, ServerSideApply=false]
          prune: true
          dryRun: false
          ignoreDifferences:
            - {group: apps, kind: Deployment, jsonPointers: [/spec/replicas]}
          retry: {limit: 5, backoff: {duration: 5s, factor: 2, maxDuration: 3m}}
          credentials:
            username: {name: git, key: user}
            password: {name: git, key: token}
          operation: sync
          syncWhen: OutOfSync
          waveDelay: 2s
          waveTimeout: 5m
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: revision`);
    expect(v.errors).toEqual([]);
    expect(v.status).toBe('valid');
  });

  it('requires name, repoURL and destination.namespace unless parameters set them', () => {
    expect(verdict('          revision: main').errors).toEqual([
      'spec.triggers[0].template.gitops.name: is required: set it here or from the event with a parameter whose dest is name',
      'spec.triggers[0].template.gitops.repoURL: is required: set it here or from the event with a parameter whose dest is repoURL',
      'spec.triggers[0].template.gitops.destination.namespace: is required: set it here or from the event with a parameter whose dest is destination.namespace',
    ]);
    const fromEvent = verdict(
      `          destination: {namespace: demo}
          parameters:
            - src: {dependencyName: push, dataKey: body.repository.name}
              dest: name`,
      `      parameters:
        - src: {dependencyName: push, dataKey: body.repository.clone_url}
          dest: gitops.repoURL`,
    );
    expect(fromEvent.errors).toEqual([]);
  });

  it('names the field and what to write for values that cannot work', () => {
    const v = verdict(`          name: Guest_Book
          repoURL: ftp://example.com/repo
          destination: {namespace: guestbook}
          path: ../other
          syncOptions: [CreateNamespace=yes, Foo=true]
          retry: {limit: -1, backoff: {duration: soon}}
          waveTimeout: 1 minute
          ignoreDifferences: [{kind: Deployment, jsonPointers: [spec.replicas]}]
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: revison`);
    expect(v.errors).toEqual([
      'spec.triggers[0].template.gitops.parameters[0].dest: "revison" is not a field of the gitops trigger (fields: name, repoURL, revision, path, destination, directory, syncOptions, prune, dryRun, ignoreDifferences, retry, credentials, operation, syncWhen, waveDelay, waveTimeout, kubeconfig)',
      expect.stringMatching(
        /^spec\.triggers\[0\]\.template\.gitops\.name: "Guest_Book" is not a valid application name/,
      ),
      expect.stringMatching(
        /^spec\.triggers\[0\]\.template\.gitops\.repoURL: "ftp:\/\/example.com\/repo" is not a repository URL git can fetch/,
      ),
      'spec.triggers[0].template.gitops.path: "../other" must be a folder inside the repository (relative, without "..")',
      expect.stringMatching(
        /^spec\.triggers\[0\]\.template\.gitops\.syncOptions\[0\]: "CreateNamespace=yes" is not a supported sync option/,
      ),
      expect.stringMatching(
        /^spec\.triggers\[0\]\.template\.gitops\.syncOptions\[1\]: "Foo=true" is not a supported sync option/,
      ),
      'spec.triggers[0].template.gitops.ignoreDifferences[0].jsonPointers[0]: "spec.replicas" is not a JSON pointer; it starts with "/", e.g. /spec/replicas',
      expect.stringMatching(/^spec\.triggers\[0\]\.template\.gitops\.retry\.limit: must be 0 or more/),
      'spec.triggers[0].template.gitops.retry.backoff.duration: expected a Go duration such as "5s", "3m" or "1m30s", found "soon"',
      'spec.triggers[0].template.gitops.waveTimeout: expected a Go duration such as "5s", "3m" or "1m30s", found "1 minute"',
    ]);
  });

  it('refuses operation refresh with syncWhen Always, and warns about settings that do nothing', () => {
    const v = verdict(`${base}
          operation: refresh
          syncWhen: Always`);
    expect(v.errors).toEqual([
      expect.stringMatching(
        /^spec\.triggers\[0\]\.template\.gitops\.syncWhen: Always contradicts operation refresh/,
      ),
    ]);
    const w = verdict(`${base}
          retry: {backoff: {duration: 10s}}`);
    expect(w.errors).toEqual([]);
    expect(w.warnings).toEqual([
      'spec.triggers[0].template.gitops.retry.limit: is 0, so the backoff is never used; set limit to the number of retries',
    ]);
  });

  it('rejects fields the gitops trigger does not have', () => {
    const v = verdict(`${base}
          targetRevision: main`);
    expect(v.status).toBe('invalid');
    expect(v.errors.join('\n')).toContain('targetRevision');
  });
});
