/** Compiling a template once and rendering it many times, with limits. */
import type { Node } from './ast.ts';
import { Execution, type Limits } from './exec.ts';
import { FUNCTION_CATALOG, FUNCTIONS } from './functions.ts';
import { parseTemplate } from './parser.ts';

export interface TemplateOptions {
  /** The name errors show (`template: <name>:1: ...`). @default 'param', as Argo Events names them */
  name?: string;
  /** The most characters a render may produce. @default 1048576 */
  maxOutput?: number;
  /** The most evaluation steps a render may take. @default 1000000 */
  maxSteps?: number;
}

export interface CompiledTemplate {
  readonly source: string;
  /** Runs the template with `data` as dot (`.`) and `$`, and returns the text it printed. */
  render(data: unknown): string;
}

export const DEFAULT_LIMITS: Limits = { maxOutput: 1 << 20, maxSteps: 1_000_000 };

/** Parses a template once. */
export function compileTemplate(source: string, options: TemplateOptions = {}): CompiledTemplate {
  const name = options.name ?? 'param';
  const limits: Limits = {
    maxOutput: options.maxOutput ?? DEFAULT_LIMITS.maxOutput,
    maxSteps: options.maxSteps ?? DEFAULT_LIMITS.maxSteps,
  };
  const nodes: Node[] = parseTemplate(source, name, FUNCTION_CATALOG);
  return {
    source,
    render: (data) => new Execution(source, name, limits).run(nodes, data),
  };
}

/** The names of every function templates can call, sorted. */
export function templateFunctionNames(): string[] {
  return [...FUNCTIONS.keys()].sort();
}

const CACHE_LIMIT = 512;
const cache = new Map<string, CompiledTemplate>();

/**
 * `compileTemplate` with a small cache, for callers that meet the same template text on every event
 * (parameters compile lazily; load-time validation has already parsed them once).
 */
export function cachedTemplate(source: string): CompiledTemplate {
  let compiled = cache.get(source);
  if (!compiled) {
    compiled = compileTemplate(source);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, compiled);
  }
  return compiled;
}
