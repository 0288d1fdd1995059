import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { ImpulseError } from '../core/errors.ts';
import type { FieldPath, ManifestIssue, ManifestSource } from './issues.ts';

/** One parsed YAML or JSON document, with a way back from a field path to its line. */
export interface LoadedDocument {
  source: ManifestSource;
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest existing parent. */
  lineOf(path: FieldPath): number | undefined;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Expands files and folders (recursively) into manifest files, sorted for stable output. */
export async function listManifestFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (err) {
      throw new ImpulseError('NOT_FOUND', `${path}: no such file or folder`, { cause: err });
    }
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      const found = entries
        .filter((e) => e.isFile() && MANIFEST_EXTENSIONS.has(extname(e.name)))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  return files;
}

/** Parses every document of one file; syntax errors come back as issues, never throws for content. */
export function parseManifestText(
  file: string,
  text: string,
): { documents: LoadedDocument[]; issues: ManifestIssue[] } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const documents: LoadedDocument[] = [];
  const issues: ManifestIssue[] = [];
  const all = Array.isArray(parsed) ? parsed : [parsed];
  all.forEach((doc, i) => {
    const source = { file, document: i + 1 };
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const line = lineCounter.linePos(error.pos[0]).line;
        issues.push({
          source,
          line,
          path: '',
          message: `not valid YAML: ${firstLine(error.message)}`,
          severity: 'error',
        });
      }
      return;
    }
    if (doc.contents === null) return; // an empty document between separators
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const lineOf = (path: FieldPath): number | undefined => {
      let node: unknown = doc.contents;
      let best: number | undefined = rangeLine(node, lineCounter);
      for (const segment of path) {
        node = childNode(node, segment);
        if (node === undefined) break;
        best = rangeLine(node, lineCounter) ?? best;
      }
      return best;
    };
    documents.push({ source, value, lineOf });
  });
  return { documents, issues };
}

/** Reads and parses every manifest file under `paths`. */
export async function readManifests(
  paths: readonly string[],
): Promise<{ documents: LoadedDocument[]; issues: ManifestIssue[] }> {
  const documents: LoadedDocument[] = [];
  const issues: ManifestIssue[] = [];
  for (const file of await listManifestFiles(paths)) {
    const text = await readFile(file, 'utf8');
    const result = parseManifestText(file, text);
    documents.push(...result.documents);
    issues.push(...result.issues);
  }
  return { documents, issues };
}

function childNode(node: unknown, segment: string | number): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
    return pair ? (pair.value ?? pair.key) : undefined;
  }
  if (isSeq(node) && typeof segment === 'number') return node.items[segment];
  return undefined;
}

function rangeLine(node: unknown, lineCounter: LineCounter): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? lineCounter.linePos(range[0]).line : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
