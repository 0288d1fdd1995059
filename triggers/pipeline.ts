import type { Trigger, TriggerTemplate } from '../crds/index.ts';
import { applyParameters } from './params/index.ts';
import { triggerType } from './registry.ts';
import type { Firing, TriggerContext, TriggerDriver, TriggerOutcome } from './types.ts';

/**
 * One attempt of a trigger, in stages: resolve the trigger-level `parameters` against the firing's
 * events (they may patch any part of the template), then let the type's driver execute its block.
 */
export async function executeTrigger(
  trigger: Trigger,
  driver: TriggerDriver,
  firing: Firing,
  ctx: TriggerContext,
): Promise<TriggerOutcome> {
  const { spec } = resolveTemplate(trigger, firing);
  return driver.execute(spec, firing, ctx);
}

/**
 * The first stage: the trigger template with the trigger-level `parameters` applied (they may patch
 * any part of it), and its type and type block.
 */
export function resolveTemplate(
  trigger: Trigger,
  firing: Firing,
): { template: TriggerTemplate; type: string; spec: unknown } {
  const template = applyParameters(trigger.template, trigger.parameters, firing.events);
  const type = triggerType(template);
  return { template, type, spec: (template as unknown as Record<string, unknown>)[type] };
}
