import { ImpulseError } from '../../core/errors.ts';
import { describe, type KubeObject, type KubeRest, type ObjectRef } from '../k8s/index.ts';
import type { WorkflowArgs } from './args.ts';
import {
  finishSuspendNode,
  isActiveSuspendNode,
  parseFieldSelector,
  readNodes,
  selectorMatches,
  type WorkflowStatus,
  writeNodes,
} from './nodes.ts';

/** The label Argo Workflows puts on a finished Workflow. */
const COMPLETED_LABEL = 'workflows.argoproj.io/completed';
const FINISHED_PHASES = new Set(['Succeeded', 'Failed', 'Error']);
/** Conflicting writes (the controller updates the Workflow too) are tried again this many times. */
const CONFLICT_ATTEMPTS = 5;

export type ControlOperation = 'suspend' | 'resume' | 'terminate' | 'stop';

export interface ControlRequest {
  rest: KubeRest;
  ref: ObjectRef;
  args: WorkflowArgs;
  signal?: AbortSignal;
  now?: () => Date;
}

/** What a control operation changed: `unchanged` when the Workflow already was as asked. */
export type ControlResult = 'suspended' | 'resumed' | 'terminated' | 'stopped' | 'unchanged';

/**
 * Changes a running Workflow the way the `argo` CLI does, through the Kubernetes API, so that the
 * Argo Workflows controller acts on it:
 * - suspend: `spec.suspend: true` (refused for a completed Workflow);
 * - resume: removes `spec.suspend` and marks every waiting suspend node Succeeded (with
 *   `--node-field-selector`, only the matching nodes, and `spec.suspend` is left alone);
 * - terminate: merge-patches `spec.shutdown: Terminate` (refused once the Workflow finished);
 * - stop: `spec.shutdown: Stop`, or with `--node-field-selector` marks the matching waiting suspend
 *   nodes Failed with `--message`.
 * Writes that replace the Workflow carry its resourceVersion; a conflict reads it again and retries.
 */
export async function controlWorkflow(op: ControlOperation, req: ControlRequest): Promise<ControlResult> {
  switch (op) {
    case 'suspend':
      return update(
        req,
        (wf) => {
          if (wf.metadata.labels?.[COMPLETED_LABEL] === 'true') {
            throw new ImpulseError('PERMANENT', `cannot suspend ${describe(req.ref)}: it has completed`);
          }
          const spec = (wf.spec ?? {}) as Record<string, unknown>;
          if (spec.suspend === true) return undefined;
          return { ...wf, spec: { ...spec, suspend: true } };
        },
        'suspended',
      );
    case 'resume':
      return update(req, (wf) => resume(wf, req), 'resumed');
    case 'stop':
      if (req.args.nodeFieldSelector) {
        return update(req, (wf) => finishSelected(wf, req, 'Failed', req.args.message), 'stopped');
      }
      return shutdown(req, 'Stop');
    case 'terminate':
      return shutdown(req, 'Terminate');
  }
}

function resume(wf: KubeObject, req: ControlRequest): KubeObject | undefined {
  if (req.args.nodeFieldSelector) return finishSelected(wf, req, 'Succeeded', undefined);
  const spec = { ...((wf.spec ?? {}) as Record<string, unknown>) };
  let changed = false;
  if (spec.suspend === true) {
    delete spec.suspend;
    changed = true;
  }
  const status = wf.status as WorkflowStatus | undefined;
  const nodes = readNodes(status, describe(req.ref));
  const now = (req.now ?? (() => new Date()))();
  const next = { ...nodes };
  for (const [id, node] of Object.entries(nodes)) {
    if (!isActiveSuspendNode(node)) continue;
    next[id] = finishSuspendNode(node, 'Succeeded', undefined, now);
    changed = true;
  }
  if (!changed) return undefined;
  return { ...wf, spec, ...(status ? { status: writeNodes(status, next) } : {}) };
}

function finishSelected(
  wf: KubeObject,
  req: ControlRequest,
  phase: 'Succeeded' | 'Failed',
  message: string | undefined,
): KubeObject {
  const terms = parseFieldSelector(req.args.nodeFieldSelector!);
  const status = (wf.status ?? {}) as WorkflowStatus;
  const nodes = readNodes(status, describe(req.ref));
  const now = (req.now ?? (() => new Date()))();
  const next = { ...nodes };
  let matched = 0;
  for (const [id, node] of Object.entries(nodes)) {
    if (!isActiveSuspendNode(node) || !selectorMatches(terms, node)) continue;
    next[id] = finishSuspendNode(node, phase, message, now);
    matched++;
  }
  if (matched === 0) {
    throw new ImpulseError(
      'PERMANENT',
      `${describe(req.ref)}: no waiting suspend node matches --node-field-selector ${req.args.nodeFieldSelector}`,
    );
  }
  return { ...wf, status: writeNodes(status, next) };
}

/** Reads, changes and replaces the Workflow, reading again after a conflict. */
async function update(
  req: ControlRequest,
  change: (wf: KubeObject) => KubeObject | undefined,
  done: ControlResult,
): Promise<ControlResult> {
  for (let attempt = 1; ; attempt++) {
    const wf = await read(req);
    const changed = change(wf);
    if (!changed) return 'unchanged';
    try {
      await req.rest.replace(req.ref, changed, { signal: req.signal });
      return done;
    } catch (err) {
      const conflict = err instanceof ImpulseError && err.details?.reason === 'Conflict';
      if (!conflict || attempt >= CONFLICT_ATTEMPTS) throw err;
    }
  }
}

async function shutdown(req: ControlRequest, strategy: 'Stop' | 'Terminate'): Promise<ControlResult> {
  const wf = await read(req);
  const phase = (wf.status as WorkflowStatus | undefined)?.phase;
  if (phase && FINISHED_PHASES.has(phase)) {
    throw new ImpulseError(
      'PERMANENT',
      `cannot ${strategy.toLowerCase()} ${describe(req.ref)}: it has already finished (${phase})`,
    );
  }
  if ((wf.spec as { shutdown?: string } | undefined)?.shutdown === strategy) return 'unchanged';
  const body = { spec: { shutdown: strategy } };
  await req.rest.patch(req.ref, 'application/merge-patch+json', body, { signal: req.signal });
  return strategy === 'Stop' ? 'stopped' : 'terminated';
}

async function read(req: ControlRequest): Promise<KubeObject> {
  const wf = await req.rest.get(req.ref, { signal: req.signal });
  if (!wf) {
    throw new ImpulseError('PERMANENT', `${describe(req.ref)} does not exist`, {
      details: { status: 404, reason: 'NotFound' },
    });
  }
  return wf;
}
