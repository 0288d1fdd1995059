import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { convertManifestText, formatIssue, validateManifests } from '../../crds/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { builtinModel, crdValidators, unknownFields } from './schemas.ts';

type Doc = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string } };

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function docsOf(text: string): Doc[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Doc)
    .filter((d) => d && typeof d === 'object');
}

const manifests = ['deploy', 'examples'].flatMap((root) =>
  files(join(REPO_ROOT, root)).flatMap((file) =>
    docsOf(readFileSync(file, 'utf8')).map((doc, i) => ({
      where: `${relative(REPO_ROOT, file)}#${i + 1} ${doc.kind} ${doc.metadata?.name ?? ''}`,
      file,
      doc,
    })),
  ),
);
const crds = manifests.filter((m) => m.doc.kind === 'CustomResourceDefinition').map((m) => m.doc);
const validators = crdValidators(crds);
const IMPULSE_KINDS = new Set(['EventSource', 'Sensor', 'EventBus']);

/** What is wrong with one object against the Kubernetes schemas (empty: valid). */
async function problems(doc: Doc, file?: string): Promise<string[]> {
  const id = `${doc.apiVersion} ${doc.kind}`;
  const custom = validators.get(id);
  if (custom) return custom(doc);
  if (doc.apiVersion === 'argoproj.io/v1alpha1' && IMPULSE_KINDS.has(String(doc.kind))) {
    // Argo Events manifests load unchanged, but a cluster serves Impulse's kinds under impulse.dev.
    const converted = docsOf(convertManifestText(readFileSync(file ?? '', 'utf8')).text).find(
      (d) => d.kind === doc.kind && d.metadata?.name === doc.metadata?.name,
    );
    return validators.get(`impulse.dev/v1alpha1 ${doc.kind}`)?.(converted) ?? [`no CRD for ${id}`];
  }
  const Model = await builtinModel(String(doc.apiVersion), String(doc.kind));
  if (!Model) return [`no schema for ${id}: neither a built-in kind nor a CRD in deploy/ or examples/`];
  try {
    new Model(doc).validate();
  } catch (err) {
    return [(err as Error).message];
  }
  return unknownFields(doc).map((path) => `${path}: unknown field`);
}

const objects = manifests.filter((m) => m.doc.kind !== 'Kustomization');

describe('manifests under deploy/ and examples/', () => {
  it('are many, and include the CRDs', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(validators.has('impulse.dev/v1alpha1 Sensor')).toBe(true);
  });

  it.each(objects.map((m) => [m.where, m]))(
    '%s is valid against the Kubernetes schemas',
    async (_where, m) => {
      expect(await problems(m.doc, m.file)).toEqual([]);
    },
  );

  it('the Impulse objects of deploy/examples load as `impulse validate` loads them', async () => {
    const { verdicts, parseIssues } = await validateManifests([join(REPO_ROOT, 'deploy', 'examples')]);
    expect([...parseIssues, ...verdicts.flatMap((v) => v.errors)].map(formatIssue)).toEqual([]);
    expect(verdicts.filter((v) => v.status === 'valid').map((v) => v.kind)).toEqual([
      'EventBus',
      'EventBus',
      'EventSource',
      'Sensor',
    ]);
  });

  it('the checks find what they should: an unknown field, a wrong type, an Argo apiVersion the CRDs do not serve', async () => {
    const deployment = objects.find(
      (m) => m.doc.kind === 'Deployment' && m.file.includes('deploy/controller'),
    )!.doc;
    const typo = structuredClone(deployment) as Doc & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    typo.spec.template.spec.containers[0]!.imagee = 'x';
    expect(await problems(typo)).toEqual(['spec.template.spec.containers[0].imagee: unknown field']);
    const wrong = structuredClone(deployment) as Doc & { spec: { replicas: unknown } };
    wrong.spec.replicas = 'two';
    expect((await problems(wrong)).join()).toMatch(/replicas/);
    const sensor = objects.find(
      (m) => m.doc.kind === 'Sensor' && m.doc.apiVersion === 'impulse.dev/v1alpha1',
    )!.doc;
    expect(validators.has(`argoproj.io/v1alpha1 Sensor`)).toBe(false);
    expect(
      validators.get('impulse.dev/v1alpha1 Sensor')?.({
        ...sensor,
        spec: { ...(sensor.spec as object), bogus: 1 },
      }),
    ).toEqual(['/spec must NOT have additional properties (bogus)']);
  });
});

const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find(existsSync);
const build = (dir: string): Doc[] => {
  if (!kubectl) throw new Error('kubectl (for `kubectl kustomize`) is needed to build deploy/; install it');
  return docsOf(execFileSync(kubectl, ['kustomize', join(REPO_ROOT, dir)], { encoding: 'utf8' }));
};
const find = (docs: Doc[], kind: string, name?: string) =>
  docs.filter((d) => d.kind === kind && (name === undefined || d.metadata?.name === name));
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type Container = {
  args: string[];
  image: string;
  env: { name: string; value?: string }[];
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  resources?: { requests?: Record<string, string> };
};
const controllerContainer = (docs: Doc[]) =>
  (
    find(docs, 'Deployment', 'impulse-controller')[0] as {
      spec: { template: { spec: { containers: Container[] } } };
    }
  ).spec.template.spec.containers[0]!;

/** Every permission the controller's code uses: [apiGroup, resource, verb]. */
const NEEDED: [string, string, string][] = [
  ...['eventsources', 'sensors', 'eventbus'].flatMap((r) =>
    ['get', 'list', 'watch'].map((v): [string, string, string] => ['impulse.dev', r, v]),
  ),
  ...['eventsources', 'sensors', 'eventbus'].map((r): [string, string, string] => [
    'impulse.dev',
    `${r}/status`,
    'patch',
  ]),
  ...['deployments', 'statefulsets'].flatMap((r) =>
    ['get', 'list', 'watch', 'create', 'update', 'delete'].map((v): [string, string, string] => [
      'apps',
      r,
      v,
    ]),
  ),
  ...['configmaps', 'services'].flatMap((r) =>
    ['get', 'create', 'update', 'delete'].map((v): [string, string, string] => ['', r, v]),
  ),
  ['', 'secrets', 'get'],
  ['', 'secrets', 'create'],
  ['', 'events', 'create'],
];
const allows = (rules: Rule[], [group, resource, verb]: [string, string, string]) =>
  rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

describe('the kustomize install', () => {
  const cluster = build('deploy');
  const namespaced = build('deploy/namespaced');

  it.each([
    ['deploy', cluster],
    ['deploy/namespaced', namespaced],
  ] as const)('%s builds into objects valid against the Kubernetes schemas', async (_dir, docs) => {
    for (const doc of docs) expect([doc.kind, await problems(doc)]).toEqual([doc.kind, []]);
  });

  it('installs the namespace, the three CRDs, a least-privilege ClusterRole, and the controller with probes and requests', () => {
    expect(find(cluster, 'Namespace', 'impulse')).toHaveLength(1);
    expect(
      find(cluster, 'CustomResourceDefinition')
        .map((d) => d.metadata?.name)
        .sort(),
    ).toEqual(['eventbus.impulse.dev', 'eventsources.impulse.dev', 'sensors.impulse.dev']);
    const rules = (find(cluster, 'ClusterRole', 'impulse-controller')[0] as { rules: Rule[] }).rules;
    for (const rule of rules)
      for (const list of [rule.apiGroups, rule.resources, rule.verbs]) expect(list).not.toContain('*');
    for (const need of NEEDED) expect([need, allows(rules, need)]).toEqual([need, true]);
    expect(rules.flatMap((r) => r.verbs)).not.toContain('deletecollection');
    const binding = find(cluster, 'ClusterRoleBinding', 'impulse-controller')[0] as {
      subjects: { name: string; namespace: string }[];
    };
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'impulse-controller', namespace: 'impulse' },
    ]);
    const leases = (find(cluster, 'Role', 'impulse-controller-leader-election')[0] as { rules: Rule[] })
      .rules;
    expect(leases).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]);

    const c = controllerContainer(cluster);
    expect(c.args).toEqual(['controller', '--metrics-port', '8080']);
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/health', port: 'metrics' } });
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/health', port: 'metrics' } });
    expect(c.resources?.requests).toEqual({ cpu: '50m', memory: '128Mi' });
    // Workload pods run the controller's own image.
    expect(c.env.find((e) => e.name === 'IMPULSE_IMAGE')?.value).toBe(c.image);
  });

  it('the namespaced overlay has a Role instead of the ClusterRole and watches only its namespace', () => {
    expect(find(namespaced, 'ClusterRole')).toEqual([]);
    expect(find(namespaced, 'ClusterRoleBinding')).toEqual([]);
    expect(find(namespaced, 'CustomResourceDefinition')).toEqual([]);
    const role = find(namespaced, 'Role', 'impulse-controller')[0] as {
      metadata: { namespace: string };
      rules: Rule[];
    };
    expect(role.metadata.namespace).toBe('impulse');
    for (const need of NEEDED) expect([need, allows(role.rules, need)]).toEqual([need, true]);
    expect(find(namespaced, 'RoleBinding', 'impulse-controller')).toHaveLength(1);
    expect(controllerContainer(namespaced).args).toEqual([
      'controller',
      '--metrics-port',
      '8080',
      '--namespace=$(POD_NAMESPACE)',
    ]);
  });
});

describe('deploy/Dockerfile', () => {
  const text = readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('is Node 20 slim, installs git, runs as a non-root user, and starts bin/impulse.js', () => {
    const from = lines.filter((l) => l.startsWith('FROM '));
    for (const line of from) expect(line).toMatch(/^FROM node:20[\w.-]*-slim\b/);
    expect(text).toMatch(/apt-get install[^\n]*\bgit\b/);
    const user = lines.filter((l) => l.startsWith('USER ')).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(lines.filter((l) => l.startsWith('ENTRYPOINT')).pop()).toContain('/app/bin/impulse.js');
  });

  it('copies every source folder the impulse command loads', () => {
    const copied = new Set(
      lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from')).map((l) => l.split(/\s+/)[1]),
    );
    const needed = [...importedFolders(join(REPO_ROOT, 'cli', 'main.ts'))].sort();
    expect(needed).toEqual(
      expect.arrayContaining([
        'cli',
        'controller',
        'core',
        'crds',
        'eventbus',
        'eventsources',
        'sensors',
        'triggers',
      ]),
    );
    expect(needed.filter((folder) => !copied.has(folder))).toEqual([]);
    expect(copied.has('bin')).toBe(true);
  });
});

/** Top-level folders of every file reachable from `entry` through relative imports (static or dynamic). */
function importedFolders(entry: string): Set<string> {
  const seen = new Set<string>();
  const folders = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    folders.add(relative(REPO_ROOT, file).split('/')[0]!);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g))
      queue.push(join(file, '..', match[1]!));
  }
  return folders;
}
