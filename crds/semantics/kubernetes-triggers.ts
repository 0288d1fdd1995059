// The args parser and the manifest reader are pure modules; imported directly (not through their
// folders' index) so that validation does not load the Kubernetes drivers.
import { parseWorkflowArgs } from '../../triggers/argo-workflow/args.ts';
import { GIT_PATH_FORBIDDEN } from '../../triggers/artifacts/git.ts';
import { parseManifest } from '../../triggers/artifacts/manifest.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import type { ArtifactLocation } from '../sensor/artifact.ts';
import type { ArgoWorkflowTrigger } from '../sensor/triggers/argo-workflow.ts';
import type { StandardK8STrigger } from '../sensor/triggers/k8s.ts';
import type { Sensor } from '../sensor.ts';
import { isRecord } from './shared.ts';

const LOCATION_KINDS = ['s3', 'inline', 'file', 'url', 'git', 'configmap', 'resource'] as const;

/** Why an argoWorkflow operation is refused, and what to use instead. */
const REFUSED_WORKFLOW_OPERATIONS: Record<string, string> = {
  resubmit:
    'is not supported: Impulse runs no argo CLI. To run a Workflow again, use operation submit with its manifest (generateName gives each run its own name), or call the Argo Server from an http trigger (PUT /api/v1/workflows/{namespace}/{name}/resubmit)',
  retry:
    'is not supported: retrying the failed nodes of a Workflow needs the Argo Server. Call it from an http trigger (PUT /api/v1/workflows/{namespace}/{name}/retry), or use operation submit to run it anew',
  'submit-from':
    'is not supported: use operation submit with a Workflow whose spec.workflowTemplateRef names the WorkflowTemplate (or ClusterWorkflowTemplate), or call the Argo Server from an http trigger (POST /api/v1/workflows/{namespace}/submit)',
};

/**
 * Checks the `k8s` and `argoWorkflow` triggers of a Sensor beyond the schema: one source location
 * that can work (an inline manifest that parses, an embedded resource with apiVersion and kind, git
 * paths without `..`), fields that only mean something with another operation, and argoWorkflow
 * operations and `args` that Impulse cannot run.
 */
export function kubernetesTriggerProblems(sensor: Sensor): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  (sensor.spec.triggers ?? []).forEach((trigger, i) => {
    const path: FieldPath = ['spec', 'triggers', i];
    check(trigger.template as unknown as Record<string, unknown>, [...path, 'template'], problems);
    if (trigger.dlqTrigger) {
      check(
        trigger.dlqTrigger.template as unknown as Record<string, unknown>,
        [...path, 'dlqTrigger', 'template'],
        problems,
      );
    }
  });
  return problems;
}

function check(template: Record<string, unknown>, path: FieldPath, problems: SemanticProblem[]): void {
  if (isRecord(template.k8s)) checkK8s(template.k8s as StandardK8STrigger, [...path, 'k8s'], problems);
  if (isRecord(template.argoWorkflow)) {
    checkWorkflow(template.argoWorkflow as ArgoWorkflowTrigger, [...path, 'argoWorkflow'], problems);
  }
}

function checkK8s(k8s: StandardK8STrigger, path: FieldPath, problems: SemanticProblem[]): void {
  checkSource(k8s.source, [...path, 'source'], problems);
  const operation = k8s.operation ?? 'create';
  if (k8s.patchStrategy !== undefined && operation !== 'patch') {
    problems.push({
      path: [...path, 'patchStrategy'],
      message: `only applies to operation patch, and this trigger's operation is ${operation}; it is ignored`,
      severity: 'warning',
    });
  }
  if (k8s.liveObject === true && operation !== 'update') {
    problems.push({
      path: [...path, 'liveObject'],
      message: `is only read with operation update (as in Argo Events), and this trigger's operation is ${operation}; it is ignored`,
      severity: 'warning',
    });
  }
  if (k8s.forceConflicts === true && k8s.patchStrategy !== 'application/apply-patch+yaml') {
    problems.push({
      path: [...path, 'forceConflicts'],
      message:
        'only applies to server-side apply; set operation: patch and patchStrategy: application/apply-patch+yaml, or remove it',
    });
  }
}

function checkWorkflow(block: ArgoWorkflowTrigger, path: FieldPath, problems: SemanticProblem[]): void {
  const operation = block.operation ?? 'submit';
  const refused = REFUSED_WORKFLOW_OPERATIONS[operation];
  if (refused) {
    problems.push({ path: [...path, 'operation'], message: `${operation} ${refused}` });
  } else {
    for (const p of parseWorkflowArgs(block.args, operation).problems) {
      problems.push({ path: [...path, 'args', p.index], message: p.message, severity: p.severity });
    }
  }
  checkSource(block.source, [...path, 'source'], problems);
  const resource = block.source?.resource;
  if (isRecord(resource) && typeof resource.kind === 'string') {
    if (resource.kind !== 'Workflow' || resource.apiVersion !== 'argoproj.io/v1alpha1') {
      problems.push({
        path: [...path, 'source', 'resource'],
        message: `is a ${String(resource.apiVersion)} ${resource.kind}; argoWorkflow acts on argoproj.io/v1alpha1 Workflows (use the k8s trigger for other kinds)`,
      });
    }
  }
}

function checkSource(
  source: ArtifactLocation | undefined,
  path: FieldPath,
  problems: SemanticProblem[],
): void {
  if (!isRecord(source)) return;
  const set = LOCATION_KINDS.filter((k) => source[k] !== undefined);
  if (set.length !== 1) {
    problems.push({
      path,
      message:
        set.length === 0
          ? `names no location; set one of ${LOCATION_KINDS.join(', ')}`
          : `sets ${set.join(' and ')}; set exactly one location`,
    });
    return;
  }
  if (source.inline !== undefined) {
    try {
      parseManifest(source.inline, 'inline');
    } catch (err) {
      problems.push({ path: [...path, 'inline'], message: (err as Error).message.replace(/^inline: /, '') });
    }
  }
  const resource = source.resource;
  if (isRecord(resource)) {
    for (const field of ['apiVersion', 'kind'] as const) {
      if (typeof resource[field] !== 'string' || resource[field] === '') {
        problems.push({
          path: [...path, 'resource', field],
          message: 'is required: the API server needs it',
        });
      }
    }
  }
  if (source.file && !source.file.path) {
    problems.push({ path: [...path, 'file', 'path'], message: 'is required: name the file to read' });
  }
  if (source.s3 && !source.s3.bucket.key) {
    problems.push({
      path: [...path, 's3', 'bucket', 'key'],
      message: 'is required: name the object to read',
    });
  }
  if (source.git?.githubApp) {
    problems.push({
      path: [...path, 'git', 'githubApp'],
      message:
        'GitHub App credentials are not supported yet: the trigger fails when it fires. Use creds with an installation or personal access token',
      severity: 'warning',
    });
  }
  if (source.git) {
    for (const field of ['filePath', 'cloneDirectory'] as const) {
      const bad = GIT_PATH_FORBIDDEN.find((part) => source.git![field].includes(part));
      if (bad) {
        problems.push({
          path: [...path, 'git', field],
          message: `must not contain "${bad}" (as in Argo Events)`,
        });
      }
    }
  }
}
