/**
 * Lua `script` filters, and the runner that executes Lua and jq off the main thread (see
 * `runner.ts`; the sandbox is described in `lua.ts` and `worker.ts`). Dependency transforms use
 * the same runner from `sensors/transform.ts`.
 */
import { ImpulseError } from '../../core/errors.ts';
import type { FilterVerdict } from '../filters/index.ts';
import { luaSyntaxError } from './lua.ts';
import { defaultScriptRunner, type ScriptRunner } from './runner.ts';

export { luaSyntaxError } from './lua.ts';
export {
  closeDefaultScriptRunner,
  defaultScriptRunner,
  type ScriptResult,
  ScriptRunner,
  type ScriptRunnerOptions,
} from './runner.ts';

/** A compiled `script` filter: resolves to its verdict; never rejects for a failing script. */
export type ScriptFilter = (data: unknown) => Promise<FilterVerdict>;

/** Refuses a Lua script that does not parse, naming its field. */
export function checkLuaSyntax(source: string, where: string): void {
  const error = luaSyntaxError(source);
  if (error) throw new ImpulseError('INVALID_MANIFEST', `${where}: Lua syntax error: ${error}`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Compiles a `filters.script` (Lua), as Argo Events runs it: the event data is the global `event`,
 * and the event passes only when the script's last return value is `true`. A script error, a
 * timeout or an exhausted budget fails the filter with the reason. Data that is not a JSON object
 * fails it too.
 */
export function compileScriptFilter(
  script: string,
  where: string,
  runner: ScriptRunner = defaultScriptRunner(),
): ScriptFilter {
  checkLuaSyntax(script, where);
  return async (data) => {
    if (!isObject(data)) return { pass: false, reason: `${where}: the event data is not a JSON object` };
    try {
      const { isTrue } = await runner.run('lua', script, data);
      return isTrue
        ? { pass: true, reason: `${where}: the script returned true` }
        : { pass: false, reason: `${where}: the script did not return true` };
    } catch (err) {
      return { pass: false, reason: `${where}: ${(err as Error).message}` };
    }
  };
}
