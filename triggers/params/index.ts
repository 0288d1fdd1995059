/** Parameterization shared by every trigger type. */
export { setAtPath } from './json-path-set.ts';
export {
  applyParameters,
  constructPayload,
  eventContext,
  type PayloadParameter,
  type ResolvedValue,
  renderParameterTemplate,
  resolveSource,
} from './resolve.ts';
