import { type Static, Type } from '@sinclair/typebox';
import { Enum, Obj, Opt } from '../../schema-kit.ts';
import { ArtifactLocation } from '../artifact.ts';
import { TriggerParameter } from '../parameters.ts';

export const ARGO_WORKFLOW_OPERATIONS = [
  'submit',
  'submit-from',
  'resubmit',
  'resume',
  'retry',
  'suspend',
  'terminate',
  'stop',
] as const;
export const ArgoWorkflowOperation = Enum(
  ARGO_WORKFLOW_OPERATIONS,
  'Workflow operation: submit (default), submit-from, resubmit, resume, retry, suspend, terminate or stop.',
);
export type ArgoWorkflowOperation = Static<typeof ArgoWorkflowOperation>;

/** Runs an Argo Workflows operation on a Workflow (or, for submit-from, a template). */
export const ArgoWorkflowTrigger = Obj(
  {
    source: ArtifactLocation,
    operation: Opt(ArgoWorkflowOperation),
    parameters: Opt(Type.Array(TriggerParameter, { description: 'Patch the Workflow from the events.' })),
    args: Opt(Type.Array(Type.String(), { description: 'Extra command-line arguments for the operation.' })),
  },
  'Submits or operates on an Argo Workflow.',
);
export type ArgoWorkflowTrigger = Static<typeof ArgoWorkflowTrigger>;
