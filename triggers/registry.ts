import type { TriggerTemplate } from '../crds/index.ts';
import { createArgoWorkflowTrigger } from './argo-workflow/index.ts';
import { createArgoCdTrigger } from './argocd/index.ts';
import { createGitOpsTrigger } from './gitops/index.ts';
import { createHttpTrigger } from './http/index.ts';
import { createK8sTrigger } from './k8s/index.ts';
import { createLogTrigger } from './log/index.ts';
import { createNatsTrigger } from './nats/index.ts';
import type { TriggerFactory } from './types.ts';

/** Trigger types by their key in a trigger template; a new type is one folder and one line here. */
export const triggers: Record<string, TriggerFactory> = {
  log: createLogTrigger,
  http: createHttpTrigger,
  nats: createNatsTrigger,
  argocd: createArgoCdTrigger,
  k8s: createK8sTrigger,
  argoWorkflow: createArgoWorkflowTrigger,
  gitops: createGitOpsTrigger,
};

const TEMPLATE_KEYS = new Set(['name', 'conditions', 'conditionsReset']);

/** The trigger type key of a template (`http`, `log`, ...). */
export function triggerType(template: TriggerTemplate): string {
  const type = Object.keys(template).find((k) => !TEMPLATE_KEYS.has(k));
  if (!type) throw new Error(`trigger ${template.name} names no type`);
  return type;
}
