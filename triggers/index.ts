/** Trigger types and the stages every firing goes through. */
export { createFiring, firingId } from './firing.ts';
export { buildHttpRequest } from './http/index.ts';
export * from './params/index.ts';
export { executeTrigger, resolveTemplate } from './pipeline.ts';
export {
  type HttpRequestPreview,
  MASK,
  maskKnownSecrets,
  previewTrigger,
  type TriggerPreview,
} from './preview.ts';
export { triggers, triggerType } from './registry.ts';
export { isPermanent, NO_RETRY, type RetryPolicy, retryDelay, retryPolicy, withRetry } from './retry.ts';
export type {
  Firing,
  TriggerContext,
  TriggerDriver,
  TriggerFactory,
  TriggerInit,
  TriggerOutcome,
} from './types.ts';
