import { isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { API_VERSION, ARGO_API_VERSION, KINDS } from './kinds.ts';

export interface ConvertResult {
  text: string;
  /** How many objects had their apiVersion rewritten. */
  converted: number;
}

/**
 * Rewrites the top-level `apiVersion` of Argo Events objects (EventSource, Sensor, EventBus) to
 * Impulse's, changing nothing else in the text: comments, order and embedded objects stay as written.
 */
export function convertManifestText(text: string): ConvertResult {
  const docs = parseAllDocuments(text, { lineCounter: new LineCounter() });
  const edits: Array<[number, number]> = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const contents = doc.contents;
    if (!isMap(contents)) continue;
    const kind = contents.get('kind');
    if (typeof kind !== 'string' || !(kind in KINDS)) continue;
    const node: unknown = contents.get('apiVersion', true);
    if (!isScalar(node) || node.value !== ARGO_API_VERSION || !node.range) continue;
    edits.push([node.range[0], node.range[1]]);
  }
  let out = text;
  for (const [start, end] of edits.reverse()) {
    const original = out.slice(start, end);
    const quote = original.startsWith('"') || original.startsWith("'") ? original[0] : '';
    out = `${out.slice(0, start)}${quote}${API_VERSION}${quote}${out.slice(end)}`;
  }
  return { text: out, converted: edits.length };
}
