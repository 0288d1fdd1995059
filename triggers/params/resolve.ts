import { ImpulseError } from '../../core/errors.ts';
import type { TriggerParameter, TriggerParameterSource } from '../../crds/index.ts';
import type { CloudEvent } from '../../eventbus/index.ts';
import { getPath, valueToString } from '../../sensors/paths/index.ts';
import { cachedTemplate } from '../../sensors/templates/index.ts';
import { setAtPath } from './json-path-set.ts';

/** A resolved parameter value: its text, and whether that text is JSON other than a string. */
export interface ResolvedValue {
  text: string;
  /** True for objects, arrays, numbers, booleans and null found by a key; false for strings. */
  json: boolean;
  /** Why a template or key was passed over for the next source, for `impulse test-sensor`. */
  fallback?: string[];
}

/** The CloudEvent context (everything but `data`), which `contextKey` paths address. */
export function eventContext(event: CloudEvent): Record<string, unknown> {
  const { data: _data, ...context } = event;
  return context;
}

/** Argo Events treats an empty key or template as not given. */
const given = (s: string | undefined): s is string => s !== undefined && s !== '';

/**
 * Renders a parameter template with `.Input` set to the event data or context, as Argo Events does.
 * An error, an empty result or `<no value>` counts as no result; the reason comes back instead.
 */
export function renderParameterTemplate(
  source: string,
  input: unknown,
): { text: string } | { reason: string } {
  let text: string;
  try {
    text = cachedTemplate(source).render({ Input: input });
  } catch (err) {
    return { reason: (err as Error).message };
  }
  if (text === '' || text === '<no value>') {
    return { reason: `it gave ${text === '' ? 'an empty result' : '"<no value>"'}` };
  }
  return { text };
}

/**
 * Resolves one parameter source against the firing's events, as Argo Events does. With neither a
 * key nor a template: `value`, else the whole event as JSON. Otherwise the data side (`dataKey`,
 * `dataTemplate`) or, when neither is given, the context side (`contextKey`, `contextTemplate`):
 * the template first (a failure, an empty result or `<no value>` falls through), then the key
 * (gjson), then `value`; when all fail it is an `INVALID_INPUT` error naming each failure. `value`
 * alone is used when the dependency has no event in this firing. Undefined means "leave the
 * destination alone".
 */
export function resolveSource(
  src: TriggerParameterSource,
  events: Record<string, CloudEvent>,
): ResolvedValue | undefined {
  const event = events[src.dependencyName];
  if (!event) return src.value === undefined ? undefined : { text: src.value, json: false };

  const onData = given(src.dataKey) || given(src.dataTemplate);
  const onContext = !onData && (given(src.contextKey) || given(src.contextTemplate));
  if (!onData && !onContext) {
    if (src.value !== undefined) return { text: src.value, json: false };
    return { text: JSON.stringify({ context: eventContext(event), data: event.data }), json: false };
  }
  const key = onData ? src.dataKey : src.contextKey;
  const template = onData ? src.dataTemplate : src.contextTemplate;
  const target = onData ? event.data : eventContext(event);
  const side = onData ? 'data' : 'context';
  const failures: string[] = [];

  if (given(template)) {
    const rendered = renderParameterTemplate(template, target);
    if ('text' in rendered) return { text: rendered.text, json: false };
    failures.push(`${side}Template failed: ${rendered.reason}`);
  }
  if (given(key)) {
    const found = getPath(target, key);
    if (found.exists) {
      const value = found.value;
      const fallback = failures.length > 0 ? { fallback: failures } : {};
      if (typeof value === 'string') return { text: value, json: false, ...fallback };
      return {
        text: value !== null && typeof value === 'object' ? JSON.stringify(value) : valueToString(value),
        json: true,
        ...fallback,
      };
    }
    failures.push(`${side}Key "${key}" does not exist in event ${event.id}`);
  }
  if (src.value !== undefined) return { text: src.value, json: false, fallback: failures };
  throw new ImpulseError(
    'INVALID_INPUT',
    `parameter from dependency "${src.dependencyName}": ${failures.join('; ')} and no default value is set`,
    { details: { dependencyName: src.dependencyName, eventId: event.id } },
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
