import { ImpulseError } from '../../core/errors.ts';
import type { ArgoWorkflowOperation, ArgoWorkflowTrigger } from '../../crds/index.ts';
import {
  applyLabelPolicy,
  defaultKubeConfig,
  describe,
  KubeAccess,
  type KubeConfigLoader,
  type KubeObject,
  type ObjectRef,
  resolveObject,
  runOperation,
} from '../k8s/index.ts';
import type { Firing, TriggerContext, TriggerDriver, TriggerFactory, TriggerOutcome } from '../types.ts';
import { parseWorkflowArgs, type WorkflowArgs } from './args.ts';
import { type ControlOperation, controlWorkflow } from './operations.ts';

export { type ArgsProblem, parseWorkflowArgs, type WorkflowArgs } from './args.ts';
export { type ControlOperation, type ControlResult, controlWorkflow } from './operations.ts';

/** The operations this version runs; the others are refused at validation (crds/semantics). */
export const RUNNABLE_WORKFLOW_OPERATIONS: readonly ArgoWorkflowOperation[] = [
  'submit',
  'suspend',
  'resume',
  'terminate',
  'stop',
];

export const WORKFLOW_API_VERSION = 'argoproj.io/v1alpha1';

export interface ArgoWorkflowTriggerOptions {
  /** @default KUBECONFIG, in-cluster, or ~/.kube/config (core/kube.ts) */
  kubeConfig?: KubeConfigLoader;
}

/**
 * Builds the `argoWorkflow` trigger. It needs no `argo` CLI: submit creates the Workflow through
 * the Kubernetes API (with the creation labels, `args` applied as `argo submit` would), and suspend,
 * resume, terminate and stop change the Workflow the way the CLI does, for the Argo Workflows
 * controller to act on. The Workflow comes from `source` with `parameters` applied; its namespace
 * defaults to the sensor's.
 */
export function makeArgoWorkflowTrigger(options: ArgoWorkflowTriggerOptions = {}): TriggerFactory {
  return ({ sensor, trigger, logger }) => {
    const where = `trigger ${trigger.template.name}`;
    const block = trigger.template.argoWorkflow;
    if (!block) throw new ImpulseError('INVALID_MANIFEST', `${where} has no argoWorkflow block`);
    const operation = block.operation ?? 'submit';
    if (!RUNNABLE_WORKFLOW_OPERATIONS.includes(operation)) {
      throw new ImpulseError(
        'UNSUPPORTED',
        `${where}.argoWorkflow.operation: ${operation} is not supported (impulse validate says what to use instead)`,
      );
    }
    const { problems } = parseWorkflowArgs(block.args, operation);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      throw new ImpulseError(
        'INVALID_MANIFEST',
        `${where}.argoWorkflow.args[${errors[0]!.index}]: ${errors[0]!.message}`,
      );
    }
    for (const p of problems) logger.warn(`${where}.argoWorkflow.args[${p.index}]: ${p.message}`);
    const access = new KubeAccess(options.kubeConfig ?? defaultKubeConfig);
    const sensorNamespace = sensor.metadata.namespace ?? 'default';
    const policy = trigger.policy?.k8s;

    const driver: TriggerDriver<ArgoWorkflowTrigger> = {
      async execute(spec: ArgoWorkflowTrigger, firing: Firing, ctx: TriggerContext): Promise<TriggerOutcome> {
        const rest = await access.client();
        const op = spec.operation ?? 'submit';
        const { args } = parseWorkflowArgs(spec.args, op);
        const target = await resolveObject({ ...spec, operation: 'create' }, firing, {
          rest,
          sensorNamespace,
          secrets: ctx.secrets,
          signal: ctx.signal,
        });
        if (target.object.apiVersion !== WORKFLOW_API_VERSION || target.object.kind !== 'Workflow') {
          throw new ImpulseError(
            'INVALID_INPUT',
            `argoWorkflow: the source is a ${target.object.apiVersion} ${target.object.kind}; it must be a ${WORKFLOW_API_VERSION} Workflow (use the k8s trigger for other kinds)`,
          );
        }
        if (op === 'submit') {
          const done = await runOperation('create', {
            rest,
            ...target,
            object: applySubmitArgs(target.object, args),
            firing,
            signal: ctx.signal,
          });
          const ref: ObjectRef = {
            resource: target.resource,
            namespace: target.namespace,
            name: done.object?.metadata.name ?? '',
          };
          const detail: Record<string, unknown> = {
            operation: op,
            result: 'submitted',
            object: describe(ref),
            ...(done.existing ? { existing: true } : {}),
          };
          ctx.logger.info(detail, `argoWorkflow trigger: submitted ${describe(ref)}`);
          if (policy && Object.keys(policy.labels).length > 0) {
            detail.policy = await applyLabelPolicy(policy, rest, ref, {
              signal: ctx.signal,
              working: () => ctx.working(),
              logger: ctx.logger,
            });
          }
          return { status: 'succeeded', detail };
        }
        const name = target.object.metadata.name;
        if (!name) {
          throw new ImpulseError(
            'INVALID_INPUT',
            `argoWorkflow: operation ${op} needs the Workflow's metadata.name (set it in the source or with a parameter)`,
          );
        }
        const ref: ObjectRef = { resource: target.resource, namespace: target.namespace, name };
        const result = await controlWorkflow(op as ControlOperation, { rest, ref, args, signal: ctx.signal });
        ctx.logger.info({ operation: op, result }, `argoWorkflow trigger: ${op} ${describe(ref)}: ${result}`);
        return { status: 'succeeded', detail: { operation: op, result, object: describe(ref) } };
      },
    };
    return driver as TriggerDriver;
  };
}

/** The `argoWorkflow` trigger as registered: Kubernetes from `KUBECONFIG`, in-cluster, or `~/.kube/config`. */
export const createArgoWorkflowTrigger: TriggerFactory = makeArgoWorkflowTrigger();

/** Applies `argo submit` flags to the Workflow, as the CLI's submit options do. */
export function applySubmitArgs(workflow: KubeObject, args: WorkflowArgs): KubeObject {
  const metadata = { ...workflow.metadata };
  const spec = { ...((workflow.spec ?? {}) as Record<string, unknown>) };
  if (args.entrypoint) spec.entrypoint = args.entrypoint;
  if (args.serviceAccount) spec.serviceAccountName = args.serviceAccount;
  if (Object.keys(args.labels).length > 0) metadata.labels = { ...metadata.labels, ...args.labels };
  if (Object.keys(args.annotations).length > 0) {
    metadata.annotations = { ...metadata.annotations, ...args.annotations };
  }
  if (args.parameters.length > 0) {
    const given = new Set(args.parameters.map(([n]) => n));
    const argumentsBlock = (spec.arguments ?? {}) as { parameters?: Array<{ name: string }> };
    const kept = (argumentsBlock.parameters ?? []).filter((p) => !given.has(p.name));
    spec.arguments = {
      ...argumentsBlock,
      parameters: [...args.parameters.map(([name, value]) => ({ name, value })), ...kept],
    };
  }
  if (args.generateName) metadata.generateName = args.generateName;
  if (args.name) metadata.name = args.name;
  return { ...workflow, metadata, spec };
}
