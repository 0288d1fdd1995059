import type { Trigger } from '../crds/index.ts';
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
  const template = applyParameters(trigger.template, trigger.parameters, firing.events);
  const type = triggerType(template);
  return driver.execute((template as unknown as Record<string, unknown>)[type], firing, ctx);
}
