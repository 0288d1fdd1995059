/**
 * Go text/template with the Sprig functions Argo Events users rely on, for `dataTemplate`,
 * `contextTemplate` and data filter `template`. A template is parsed once (`compileTemplate`, which
 * throws `INVALID_MANIFEST` for bad syntax or an unknown function and `UNSUPPORTED` for a Sprig
 * function Impulse leaves out) and rendered many times; a render that fails is `INVALID_INPUT`.
 * No JavaScript is generated or evaluated, and every render is bounded in steps and output size.
 */
export {
  type CompiledTemplate,
  cachedTemplate,
  compileTemplate,
  DEFAULT_LIMITS,
  type TemplateOptions,
  templateFunctionNames,
} from './compile.ts';
export { compileDataFilterTemplate, type FilterTemplateResult } from './data-filter.ts';
export type { Limits } from './exec.ts';
export { goJsonString } from './go-json.ts';
export { GoInt, GoTime } from './values.ts';
