import { ImpulseError } from '../core/errors.ts';
import type { EventDependency, EventDependencyTransformer } from '../crds/index.ts';
import type { CloudEvent } from '../eventbus/index.ts';
import type { FilterVerdict } from './filters/index.ts';
import {
  checkLuaSyntax,
  compileScriptFilter,
  defaultScriptRunner,
  type ScriptRunner,
} from './scripts/index.ts';

/** A dependency's `transform`, ready to rewrite events. */
export interface CompiledTransform {
  kind: 'jq' | 'script';
  /**
   * Starts the script worker and, for jq, compiles the program there: a program that does not
   * compile rejects with `INVALID_MANIFEST` naming the field. Call it when the sensor starts.
   */
  prepare(): Promise<void>;
  /**
   * The event with its data replaced by the transform's result, as Argo Events does it. Rejects
   * with `INVALID_INPUT` when the data is not a JSON object, the program fails or runs out of time
   * or memory, or its result is not a JSON object.
   */
  apply(event: CloudEvent): Promise<CloudEvent>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Compiles a dependency's `transform` (`jq`, or a Lua `script` that returns a table). Lua syntax is
 * checked here; jq syntax in `prepare()`. Setting both is an `INVALID_MANIFEST` error (Argo Events
 * silently ignores the script). Returns undefined when neither is set.
 */
export function compileTransform(
  transform: EventDependencyTransformer | undefined,
  where: string,
  runner: ScriptRunner = defaultScriptRunner(),
): CompiledTransform | undefined {
  const jq = transform?.jq ?? '';
  const script = transform?.script ?? '';
  if (jq !== '' && script !== '') {
    throw new ImpulseError('INVALID_MANIFEST', `${where}: set either jq or script, not both`);
  }
  if (jq === '' && script === '') return undefined;
  const kind = jq !== '' ? 'jq' : 'script';
  const source = kind === 'jq' ? jq : script;
  const field = `${where}.${kind}`;
  if (kind === 'script') checkLuaSyntax(script, field);

  return {
    kind,
    async prepare() {
      await runner.warmUp();
      if (kind !== 'jq') return;
      try {
        await runner.run('jq-check', source, null);
      } catch (err) {
        const e = err as ImpulseError;
        const code = e.details?.reason === 'syntax' ? 'INVALID_MANIFEST' : e.code;
        throw new ImpulseError(code, `${field}: ${e.message}`, { cause: err, details: e.details });
      }
    },
    async apply(event) {
      if (!isObject(event.data)) {
        throw new ImpulseError('INVALID_INPUT', `${field}: the event data is not a JSON object`);
      }
      let result: unknown;
      try {
        ({ result } = await runner.run(kind === 'jq' ? 'jq' : 'lua', source, event.data));
      } catch (err) {
        const e = err as ImpulseError;
        throw new ImpulseError(e.code === 'CLOSED' ? 'CLOSED' : 'INVALID_INPUT', `${field}: ${e.message}`, {
          cause: err,
          details: e.details,
        });
      }
      if (!isObject(result)) {
        const what = kind === 'jq' ? 'jq transformation output' : 'transformation script output';
        throw new ImpulseError('INVALID_INPUT', `${field}: the ${what} must be a JSON object`);
      }
      return { ...event, data: result, datacontenttype: 'application/json' };
    },
  };
}

/** A dependency's asynchronous stages: its transform, then its filters with the script among them. */
export interface ScriptStages {
  /** Starts the worker and compiles jq (see {@link CompiledTransform.prepare}). */
  prepare(): Promise<void>;
  /** The event as the dependency sees it: transformed, when a transform is set. */
  shape(event: CloudEvent): Promise<CloudEvent>;
  /**
   * Transforms the event (when there is a transform) and judges it: `accepts` (the dependency's
   * other filters, synchronous) combined with the script filter by `filtersLogicalOperator`, the
   * script run only when the other filters do not already decide. A transform that fails rejects
   * with `INVALID_INPUT`: Argo Events drops such an event, and so should the caller (ack and log).
   */
  evaluate(
    event: CloudEvent,
    accepts: (event: CloudEvent) => FilterVerdict,
  ): Promise<{ event: CloudEvent; verdict: FilterVerdict }>;
}

/**
 * Compiles what of a dependency needs the script worker: `transform` and `filters.script`.
 * Returns undefined when it has neither, so the caller keeps its synchronous path.
 */
export function compileScriptStages(
  dependency: EventDependency,
  where: string,
  runner: ScriptRunner = defaultScriptRunner(),
): ScriptStages | undefined {
  const transform = compileTransform(dependency.transform, `${where}.transform`, runner);
  const source = dependency.filters?.script;
  const script = source ? compileScriptFilter(source, `${where}.filters.script`, runner) : undefined;
  if (!transform && !script) return undefined;
  const { script: _script, ...others } = dependency.filters ?? {};
  const hasOtherFilters = Object.keys(others).some(
    (k) =>
      k !== 'dataLogicalOperator' &&
      k !== 'exprLogicalOperator' &&
      others[k as keyof typeof others] !== undefined,
  );
  const operator = dependency.filtersLogicalOperator ?? 'and';
  return {
    async prepare() {
      if (transform) await transform.prepare();
      else await runner.warmUp();
    },
    shape: (event) => (transform ? transform.apply(event) : Promise.resolve(event)),
    async evaluate(event, accepts) {
      const shaped = transform ? await transform.apply(event) : event;
      if (!script) return { event: shaped, verdict: accepts(shaped) };
      if (!hasOtherFilters) return { event: shaped, verdict: await script(shaped.data) };
      const verdict = accepts(shaped);
      const decided = operator === 'or' ? verdict.pass : !verdict.pass;
      return { event: shaped, verdict: decided ? verdict : await script(shaped.data) };
    },
  };
}
