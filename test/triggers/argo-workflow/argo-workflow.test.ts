import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifestText, type Trigger, validateDocument } from '../../../crds/index.ts';
import { isPermanent } from '../../../triggers/index.ts';
import { LABELS } from '../../../triggers/k8s/index.ts';
import { clients, uniqueName } from '../../kube-emulator/fixture.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { failure, fire, firingOf, registerWorkflowCrd } from '../k8s/fixture.ts';

let emulator: KubeEmulator;
let api: ReturnType<typeof clients>;
let namespace: string;

beforeAll(async () => {
  namespace = uniqueName('wf');
  emulator = await startKubeEmulator({ controllers: false, namespaces: [namespace] });
  api = clients(emulator, namespace);
  await registerWorkflowCrd(emulator);
});
afterAll(() => emulator.close());

const WF = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows' };
type Wf = {
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
};
const readWf = async (name: string) =>
  (await api.custom.getNamespacedCustomObject({ ...WF, namespace, name })) as Wf;

const workflow = (metadata: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata,
  spec: { entrypoint: 'main', arguments: { parameters: [{ name: 'message', value: 'default' }] } },
  ...extra,
});

function wfTrigger(argoWorkflow: Record<string, unknown>): Trigger {
  return { template: { name: 'wf', argoWorkflow } } as unknown as Trigger;
}

/** A Workflow waiting in a suspend step (and, with `suspended`, suspended as a whole). */
async function running(name: string, options: { suspended?: boolean; compressed?: boolean } = {}) {
  const nodes = {
    [`${name}-1`]: {
      id: `${name}-1`,
      name: `${name}.approve`,
      displayName: 'approve',
      type: 'Suspend',
      phase: 'Running',
      templateName: 'approve',
    },
    [`${name}-2`]: {
      id: `${name}-2`,
      name: `${name}.gate`,
      displayName: 'gate',
      type: 'Suspend',
      phase: 'Running',
      templateName: 'gate',
    },
    [`${name}-3`]: {
      id: `${name}-3`,
      name: `${name}.build`,
      displayName: 'build',
      type: 'Pod',
      phase: 'Running',
    },
  };
  const status = options.compressed
    ? { phase: 'Running', compressedNodes: gzipSync(JSON.stringify(nodes)).toString('base64') }
    : { phase: 'Running', nodes };
  const body = workflow({ name }, { status });
  if (options.suspended) (body.spec as Record<string, unknown>).suspend = true;
  await api.custom.createNamespacedCustomObject({ ...WF, namespace, body });
}

const nodesOf = (wf: Wf) => {
  const status = wf.status as {
    nodes?: Record<string, { phase: string; finishedAt?: string; message?: string }>;
    compressedNodes?: string;
  };
  return status.compressedNodes
    ? (JSON.parse(
        gunzipSync(Buffer.from(status.compressedNodes, 'base64')).toString(),
      ) as typeof status.nodes)!
    : status.nodes!;
};

describe('argoWorkflow trigger', () => {
  it('submit creates the Workflow through the API, with parameters, args and the creation labels', async () => {
    const firing = firingOf({ body: { message: 'from the event' } }, 'wf', 's', namespace);
    const { outcome } = await fire(
      emulator,
      wfTrigger({
        operation: 'submit',
        args: ['-p', 'extra=1', '--labels', 'team=data', '--node-field-selector', 'phase=abc'],
        source: { resource: workflow({ generateName: 'run-' }) },
        parameters: [
          {
            src: { dependencyName: 'dep', dataKey: 'body.message' },
            dest: 'spec.arguments.parameters.0.value',
          },
        ],
      }),
      firing,
      { namespace },
    );
    expect(outcome).toMatchObject({
      status: 'succeeded',
      detail: { operation: 'submit', result: 'submitted' },
    });
    const list = (await api.custom.listNamespacedCustomObject({
      ...WF,
      namespace,
      labelSelector: `${LABELS.firingId}=${firing.id}`,
    })) as { items: Wf[] };
    expect(list.items).toHaveLength(1);
    const wf = list.items[0]!;
    expect(wf.metadata.name).toMatch(/^run-/);
    expect(wf.metadata.labels).toMatchObject({ team: 'data', [LABELS.sensor]: 's', [LABELS.trigger]: 'wf' });
    expect(wf.spec.arguments).toEqual({
      parameters: [
        { name: 'extra', value: '1' },
        { name: 'message', value: 'from the event' },
      ],
    });
  });

  it('suspend sets spec.suspend; resume removes it and marks every waiting suspend node Succeeded', async () => {
    const name = uniqueName('wf');
    await running(name);
    const control = (operation: string, args?: string[]) =>
      fire(
        emulator,
        wfTrigger({ operation, ...(args ? { args } : {}), source: { resource: workflow({ name }) } }),
        firingOf({}),
        { namespace },
      );
    expect((await control('suspend')).outcome).toMatchObject({ detail: { result: 'suspended' } });
    expect((await readWf(name)).spec.suspend).toBe(true);
    expect((await control('suspend')).outcome).toMatchObject({ detail: { result: 'unchanged' } });
    expect((await control('resume')).outcome).toMatchObject({ detail: { result: 'resumed' } });
    const wf = await readWf(name);
    expect(wf.spec.suspend).toBeUndefined();
    const nodes = nodesOf(wf);
    expect(nodes[`${name}-1`]).toMatchObject({ phase: 'Succeeded', finishedAt: expect.stringMatching(/Z$/) });
    expect(nodes[`${name}-2`]).toMatchObject({ phase: 'Succeeded' });
    expect(nodes[`${name}-3`]).toMatchObject({ phase: 'Running' });
  });

  it('resume with --node-field-selector finishes only the matching node, in compressed node status too', async () => {
    const name = uniqueName('wf');
    await running(name, { suspended: true, compressed: true });
    await fire(
      emulator,
      wfTrigger({
        operation: 'resume',
        args: ['--node-field-selector', 'displayName=gate'],
        source: { resource: workflow({ name }) },
      }),
      firingOf({}),
      { namespace },
    );
    const wf = await readWf(name);
    expect(wf.spec.suspend).toBe(true);
    const nodes = nodesOf(wf);
    expect(nodes[`${name}-2`]!.phase).toBe('Succeeded');
    expect(nodes[`${name}-1`]!.phase).toBe('Running');
    const none = await failure(
      fire(
        emulator,
        wfTrigger({
          operation: 'resume',
          args: ['--node-field-selector', 'displayName=nope'],
          source: { resource: workflow({ name }) },
        }),
        firingOf({}),
        { namespace },
      ),
    );
    expect(isPermanent(none)).toBe(true);
    expect(none.message).toContain('no waiting suspend node matches --node-field-selector displayName=nope');
  });

  it('terminate and stop set spec.shutdown; stop with a selector fails the node; a finished Workflow is refused', async () => {
    const a = uniqueName('wf');
    const b = uniqueName('wf');
    const c = uniqueName('wf');
    await running(a);
    await running(b);
    await running(c);
    const control = (name: string, operation: string, args?: string[]) =>
      fire(
        emulator,
        wfTrigger({ operation, ...(args ? { args } : {}), source: { resource: workflow({ name }) } }),
        firingOf({}),
        { namespace },
      );
    await control(a, 'terminate');
    expect((await readWf(a)).spec.shutdown).toBe('Terminate');
    await control(b, 'stop');
    expect((await readWf(b)).spec.shutdown).toBe('Stop');
    await control(c, 'stop', ['--node-field-selector', 'templateName=approve', '--message', 'rejected']);
    expect(nodesOf(await readWf(c))[`${c}-1`]).toMatchObject({ phase: 'Failed', message: 'rejected' });
    expect((await readWf(c)).spec.shutdown).toBeUndefined();

    const done = uniqueName('wf');
    await api.custom.createNamespacedCustomObject({
      ...WF,
      namespace,
      body: workflow({ name: done }, { status: { phase: 'Succeeded' } }),
    });
    const err = await failure(control(done, 'terminate'));
    expect(isPermanent(err)).toBe(true);
    expect(err.message).toBe(
      `cannot terminate argoproj.io/v1alpha1 Workflow ${namespace}/${done}: it has already finished (Succeeded)`,
    );
  });
});

describe('argoWorkflow validation', () => {
  const verdict = (operation: string, args?: string) => {
    const { documents } = parseManifestText(
      's.yaml',
      `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
  dependencies: [{name: d, eventSourceName: e, eventName: x}]
  triggers:
    - template:
        name: t
        argoWorkflow:
          operation: ${operation}
${args ? `          args: ${args}\n` : ''}          source: {resource: {apiVersion: argoproj.io/v1alpha1, kind: Workflow, metadata: {name: w}}}
`,
    );
    return validateDocument(documents[0]!);
  };

  it.each([
    ['resubmit', 'use operation submit with its manifest'],
    ['retry', 'PUT /api/v1/workflows/{namespace}/{name}/retry'],
    ['submit-from', 'spec.workflowTemplateRef names the WorkflowTemplate'],
  ])('refuses %s and says what to use instead', (operation, hint) => {
    const v = verdict(operation);
    expect(v.status).toBe('invalid');
    expect(v.errors).toHaveLength(1);
    expect(v.errors[0]!.path).toBe('spec.triggers[0].template.argoWorkflow.operation');
    expect(v.errors[0]!.message).toContain(`${operation} is not supported`);
    expect(v.errors[0]!.message).toContain(hint);
  });

  it('refuses args it does not understand, and warns about args that mean nothing for the operation', () => {
    const bad = verdict('submit', '["--watch"]');
    expect(bad.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'spec.triggers[0].template.argoWorkflow.args[0]: "--watch" is not an argument Impulse understands (it runs no argo CLI); supported: --name, --generate-name, --entrypoint, --serviceaccount, -p/--parameter, -l/--labels, --annotations, --node-field-selector, --message',
    ]);
    const ignored = verdict('suspend', '["-p", "a=b"]');
    expect(ignored.status).toBe('valid');
    expect(ignored.warnings.map((w) => w.message)).toEqual([
      '-p has no effect with operation suspend (only with submit); it is ignored',
    ]);
  });
});
