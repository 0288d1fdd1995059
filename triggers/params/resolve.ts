import { ImpulseError } from '../../core/errors.ts';
import type { TriggerParameter, TriggerParameterSource } from '../../crds/index.ts';
import type { CloudEvent } from '../../eventbus/index.ts';
import { getPath, valueToString } from '../../sensors/paths/index.ts';
import { setAtPath } from './json-path-set.ts';

/** A resolved parameter value: its text, and whether that text is JSON other than a string. */
export interface ResolvedValue {
  text: string;
  /** True for objects, arrays, numbers, booleans and null found by a key; false for strings. */
  json: boolean;
}

/** The CloudEvent context (everything but `data`), which `contextKey` paths address. */
export function eventContext(event: CloudEvent): Record<string, unknown> {
  const { data: _data, ...context } = event;
  return context;
}

/**
 * Resolves one parameter source against the firing's events, as Argo Events does: with neither a key
 * nor a template the `value` (or else the whole event as JSON); a `contextKey` or `dataKey` path
 * (gjson) into the event, falling back to `value` when the path does not exist; `value` alone when
 * the dependency has no event in this firing. Undefined means "leave the destination alone".
 */
export function resolveSource(
  src: TriggerParameterSource,
  events: Record<string, CloudEvent>,
): ResolvedValue | undefined {
  const event = events[src.dependencyName];
  if (!event) return src.value === undefined ? undefined : { text: src.value, json: false };

  const key = src.dataKey ?? src.contextKey;
  if (key === undefined) {
    if (src.value !== undefined) return { text: src.value, json: false };
    return { text: JSON.stringify({ context: eventContext(event), data: event.data }), json: false };
  }
  const target = src.dataKey !== undefined ? event.data : eventContext(event);
  const found = getPath(target, key);
  if (found.exists) {
    const value = found.value;
    if (typeof value === 'string') return { text: value, json: false };
    return {
      text: value !== null && typeof value === 'object' ? JSON.stringify(value) : valueToString(value),
      json: true,
    };
  }
  if (src.value !== undefined) return { text: src.value, json: false };
  const which = src.dataKey !== undefined ? `dataKey "${src.dataKey}"` : `contextKey "${src.contextKey}"`;
  throw new ImpulseError(
    'INVALID_INPUT',
    `parameter from dependency "${src.dependencyName}": ${which} does not exist in event ${event.id} and no default value is set`,
  );
}

/** Whether to write the value as JSON (`useRawData` and a non-string value) or as a string. */
function toDestValue(src: TriggerParameterSource, resolved: ResolvedValue): unknown {
  return src.useRawData && resolved.json ? JSON.parse(resolved.text) : resolved.text;
}

/**
 * Applies parameters to a JSON document (a trigger template, an HTTP trigger spec, a resource):
 * `overwrite` (default) sets the value at `dest`; `append` and `prepend` join it with the string
 * already there.
 */
export function applyParameters<T>(
  document: T,
  parameters: readonly TriggerParameter[] | undefined,
  events: Record<string, CloudEvent>,
): T {
  let out: unknown = document;
  for (const parameter of parameters ?? []) {
    const resolved = resolveSource(parameter.src, events);
    if (!resolved) continue;
    let value = toDestValue(parameter.src, resolved);
    if (parameter.operation === 'append' || parameter.operation === 'prepend') {
      const current = getPath(out, parameter.dest);
      if (current.exists) {
        const existing = valueToString(current.value);
        value = parameter.operation === 'append' ? existing + resolved.text : resolved.text + existing;
      }
    }
    out = setAtPath(out, parameter.dest, value);
  }
  return out as T;
}

/** A payload parameter: like a parameter, but an empty `dest` makes the value the whole body. */
export interface PayloadParameter {
  src: TriggerParameterSource;
  dest?: string;
}

/**
 * Builds a request body from payload parameters. Returns the body text (JSON), or undefined when no
 * parameter produced anything. An empty `dest` makes that value the whole body, as in Argo Events.
 */
export function constructPayload(
  parameters: readonly PayloadParameter[] | undefined,
  events: Record<string, CloudEvent>,
): string | undefined {
  let body: unknown;
  for (const parameter of parameters ?? []) {
    const resolved = resolveSource(parameter.src, events);
    if (!resolved) continue;
    if (!parameter.dest) return resolved.text;
    body = setAtPath(body, parameter.dest, toDestValue(parameter.src, resolved));
  }
  return body === undefined ? undefined : JSON.stringify(body);
}
