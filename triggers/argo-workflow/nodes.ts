import { gunzipSync, gzipSync } from 'node:zlib';
import { ImpulseError } from '../../core/errors.ts';

/** The parts of an Argo Workflows `NodeStatus` that resume and stop read and write. */
export interface WorkflowNode {
  id?: string;
  name?: string;
  displayName?: string;
  type?: string;
  phase?: string;
  message?: string;
  finishedAt?: string;
  templateName?: string;
  templateRef?: { name?: string; template?: string };
  inputs?: { parameters?: Array<{ name: string; value?: unknown }> };
  outputs?: {
    parameters?: Array<{
      name: string;
      value?: unknown;
      valueFrom?: { supplied?: unknown; default?: unknown } | null;
    }>;
  };
  [field: string]: unknown;
}

export interface WorkflowStatus {
  phase?: string;
  nodes?: Record<string, WorkflowNode>;
  compressedNodes?: string;
  offloadNodeStatusVersion?: string;
  [field: string]: unknown;
}

/**
 * The workflow's nodes, whether they sit in `status.nodes` or, as the controller stores large ones,
 * gzipped and base64-encoded in `status.compressedNodes`. Nodes offloaded to the Argo Workflows
 * database cannot be read through the Kubernetes API; that is a permanent error that says so.
 */
export function readNodes(
  status: WorkflowStatus | undefined,
  workflow: string,
): Record<string, WorkflowNode> {
  if (!status) return {};
  if (status.compressedNodes) {
    try {
      return JSON.parse(gunzipSync(Buffer.from(status.compressedNodes, 'base64')).toString('utf8')) as Record<
        string,
        WorkflowNode
      >;
    } catch (err) {
      throw new ImpulseError('PERMANENT', `Workflow ${workflow}: status.compressedNodes cannot be read`, {
        cause: err,
      });
    }
  }
  if (status.offloadNodeStatusVersion && !status.nodes) {
    throw new ImpulseError(
      'PERMANENT',
      `Workflow ${workflow}: its node status is offloaded to the Argo Workflows database, which only the Argo Server reads; resume or stop it through the Argo Server API (an http trigger to PUT /api/v1/workflows/{namespace}/{name}/resume or /stop)`,
    );
  }
  return status.nodes ?? {};
}

/** Writes nodes back the way they were stored (compressed stays compressed). */
export function writeNodes(status: WorkflowStatus, nodes: Record<string, WorkflowNode>): WorkflowStatus {
  if (status.compressedNodes) {
    return { ...status, compressedNodes: gzipSync(JSON.stringify(nodes)).toString('base64') };
  }
  return { ...status, nodes };
}

/** A suspend step that is waiting: what resume and stop act on. */
export const isActiveSuspendNode = (node: WorkflowNode): boolean =>
  node.type === 'Suspend' && node.phase === 'Running';

/** One term of a field selector: `key=value`, `key==value` or `key!=value`. */
interface SelectorTerm {
  key: string;
  value: string;
  equal: boolean;
}

/** Parses a Kubernetes field selector as `--node-field-selector` takes it. */
export function parseFieldSelector(text: string): SelectorTerm[] {
  const terms: SelectorTerm[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*([^!=\s]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(part);
    if (!match) {
      throw new ImpulseError(
        'INVALID_INPUT',
        `--node-field-selector: "${part}" is not key=value or key!=value`,
      );
    }
    terms.push({ key: match[1]!, value: match[3]!, equal: match[2] !== '!=' });
  }
  return terms;
}

/** The fields of a node a selector can name, as Argo Workflows defines them. */
function nodeFields(node: WorkflowNode): Record<string, string> {
  const fields: Record<string, string> = {
    displayName: node.displayName ?? '',
    templateName: node.templateName ?? node.templateRef?.template ?? '',
    phase: node.phase ?? '',
    name: node.name ?? '',
    id: node.id ?? '',
  };
  if (node.templateRef) {
    fields['templateRef.name'] = node.templateRef.name ?? '';
    fields['templateRef.template'] = node.templateRef.template ?? '';
  }
  for (const p of node.inputs?.parameters ?? []) {
    fields[`inputs.parameters.${p.name}.value`] = p.value === undefined ? '' : String(p.value);
  }
  return fields;
}

export function selectorMatches(terms: SelectorTerm[], node: WorkflowNode): boolean {
  const fields = nodeFields(node);
  return terms.every((t) => ((fields[t.key] ?? '') === t.value) === t.equal);
}

/**
 * Marks a waiting suspend node finished, as `argo resume` (Succeeded) or `argo stop` with a node
 * selector (Failed) does: phase, finishedAt, message, and, on resume, output parameters that were
 * to be supplied take their default (an error when there is none, as in Argo Workflows).
 */
export function finishSuspendNode(
  node: WorkflowNode,
  phase: 'Succeeded' | 'Failed',
  message: string | undefined,
  now: Date,
): WorkflowNode {
  const out: WorkflowNode = { ...node, phase, finishedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  if (message) out.message = message;
  if (phase === 'Succeeded' && node.outputs?.parameters) {
    out.outputs = {
      ...node.outputs,
      parameters: node.outputs.parameters.map((p) => {
        if (!p.valueFrom || p.valueFrom.supplied === undefined) return p;
        if (p.valueFrom.default === undefined) {
          throw new ImpulseError(
            'PERMANENT',
            `node ${node.displayName ?? node.id}: output parameter "${p.name}" has not been supplied and has no default; resume it from the Argo UI or CLI with a value`,
          );
        }
        const { valueFrom: _dropped, ...rest } = p;
        return { ...rest, value: p.valueFrom.default };
      }),
    };
  }
  return out;
}
