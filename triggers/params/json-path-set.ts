import { ImpulseError } from '../../core/errors.ts';

/**
 * Sets a value at an sjson-style path (`spec.arguments.parameters.0.value`), creating objects and
 * arrays on the way as sjson does: a numeric segment indexes an array (or creates one), `-1` appends,
 * `\.` escapes a dot inside a key. Returns a new root; the input is not modified.
 */
export function setAtPath(root: unknown, path: string, value: unknown): unknown {
  const segments = splitPath(path);
  if (segments.length === 0) throw new ImpulseError('INVALID_INPUT', 'parameter dest must not be empty');
  return setIn(root, segments, value, path);
}

function setIn(node: unknown, segments: string[], value: unknown, path: string): unknown {
  const [head, ...rest] = segments as [string, ...string[]];
  const index = /^-?\d+$/.test(head) ? Number(head) : undefined;
  if (Array.isArray(node) && index !== undefined) {
    const copy = [...node];
    const at = index === -1 ? copy.length : index;
    if (at < 0) throw new ImpulseError('INVALID_INPUT', `parameter dest ${path}: index ${head} is not valid`);
    while (copy.length < at) copy.push(null);
    copy[at] = rest.length === 0 ? value : setIn(copy[at], rest, value, path);
    return copy;
  }
  if (node === undefined || node === null) {
    // sjson creates an array for a numeric segment on a missing node, an object otherwise.
    node = index !== undefined ? [] : {};
    if (Array.isArray(node)) return setIn(node, segments, value, path);
  }
  if (typeof node !== 'object' || Array.isArray(node)) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `parameter dest ${path}: cannot set "${head}" inside a ${Array.isArray(node) ? 'list' : typeof node}`,
    );
  }
  if (head === '__proto__' || head === 'constructor' || head === 'prototype') {
    throw new ImpulseError('INVALID_INPUT', `parameter dest ${path}: "${head}" cannot be set`);
  }
  const copy: Record<string, unknown> = { ...(node as Record<string, unknown>) };
  copy[head] = rest.length === 0 ? value : setIn(copy[head], rest, value, path);
  return copy;
}

function splitPath(path: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && i + 1 < path.length) {
      current += path[++i];
    } else if (c === '.') {
      segments.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (path.length > 0) segments.push(current);
  return segments;
}
