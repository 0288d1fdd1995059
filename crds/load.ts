import { ImpulseError } from '../core/errors.ts';
import { readManifests } from './documents.ts';
import type { EventBus } from './eventbus.ts';
import type { EventSource } from './eventsource.ts';
import { formatIssue, type ManifestIssue } from './issues.ts';
import type { Sensor } from './sensor.ts';
import { type DocumentVerdict, type ImpulseObject, validateDocument } from './validate.ts';

export interface LoadReport {
  verdicts: DocumentVerdict[];
  /** Problems found before any object could be read (YAML syntax). */
  parseIssues: ManifestIssue[];
}

/** Reads, parses and validates every manifest under `paths`, reporting on each document. */
export async function validateManifests(paths: readonly string[]): Promise<LoadReport> {
  const { documents, issues } = await readManifests(paths);
  return { verdicts: documents.map(validateDocument), parseIssues: issues };
}

/** A loaded object with the file it came from. */
export interface LoadedObject<T extends ImpulseObject = ImpulseObject> {
  object: T;
  source: DocumentVerdict['source'];
}

export interface LoadedObjects {
  eventSources: LoadedObject<EventSource>[];
  sensors: LoadedObject<Sensor>[];
  eventBuses: LoadedObject<EventBus>[];
  warnings: ManifestIssue[];
}

/**
 * Loads every Impulse object under `paths`. Throws `INVALID_MANIFEST` listing every problem (file,
 * line, field path, message) if anything is invalid; documents of other kinds are skipped.
 */
export async function loadObjects(paths: readonly string[]): Promise<LoadedObjects> {
  const report = await validateManifests(paths);
  const problems = [...report.parseIssues, ...report.verdicts.flatMap((v) => v.errors)];
  if (problems.length > 0) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `invalid manifest:\n${problems.map((p) => `  ${formatIssue(p)}`).join('\n')}`,
      {
        details: { issues: problems },
      },
    );
  }
  const result: LoadedObjects = { eventSources: [], sensors: [], eventBuses: [], warnings: [] };
  for (const verdict of report.verdicts) {
    result.warnings.push(...verdict.warnings);
    if (!verdict.object) continue;
    const entry = { object: verdict.object, source: verdict.source };
    if (verdict.object.kind === 'EventSource') result.eventSources.push(entry as LoadedObject<EventSource>);
    else if (verdict.object.kind === 'Sensor') result.sensors.push(entry as LoadedObject<Sensor>);
    else result.eventBuses.push(entry as LoadedObject<EventBus>);
  }
  return result;
}

/** Loads exactly one object of `kind` from a file (what `impulse eventsource -f` and `sensor -f` take). */
export async function loadSingle<K extends ImpulseObject['kind']>(
  file: string,
  kind: K,
): Promise<{ object: Extract<ImpulseObject, { kind: K }>; warnings: ManifestIssue[]; eventBus?: EventBus }> {
  const loaded = await loadObjects([file]);
  const all = [...loaded.eventSources, ...loaded.sensors, ...loaded.eventBuses];
  const matching = all.filter((o) => o.object.kind === kind);
  if (matching.length !== 1) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${file}: expected exactly one ${kind}, found ${matching.length}${matching.length > 1 ? ` (${matching.map((m) => m.object.metadata.name).join(', ')}); give each its own file` : ''}`,
    );
  }
  return {
    object: matching[0]!.object as Extract<ImpulseObject, { kind: K }>,
    warnings: loaded.warnings,
    eventBus: loaded.eventBuses[0]?.object,
  };
}
