/** Parameterization shared by every trigger type. */
export { setAtPath } from './json-path-set.ts';
export {
  applyParameters,
  constructPayload,
  eventContext,
  type PayloadParameter,
  type ResolvedValue,
  resolveSource,
} from './resolve.ts';
