import { parse } from 'yaml';
import type { EventBus } from '../eventbus.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import { durationProblem, isRecord, subjectTokenProblem } from './shared.ts';

const STREAM_KEYS = new Set([
  'maxMsgs',
  'maxAge',
  'maxBytes',
  'replicas',
  'duplicates',
  'retention',
  'discard',
  'maxMsgSize',
  'streamName',
]);

/** Checks an EventBus beyond its schema: one bus kind, a usable name, and readable stream settings. */
export function eventBusSemantics(object: EventBus): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const name = object.metadata.name ?? '';
  const nameProblem = subjectTokenProblem(['metadata', 'name'], name, 'EventBus name');
  if (nameProblem) problems.push(nameProblem);

  const { jetstream, jetstreamExotic } = object.spec;
  if (!jetstream === !jetstreamExotic) {
    problems.push({
      path: ['spec'],
      message:
        'needs exactly one of jetstream (a NATS cluster the controller runs) or jetstreamExotic (an existing NATS)',
    });
  }
  const streamConfig = jetstream?.streamConfig ?? jetstreamExotic?.streamConfig;
  const where: FieldPath = ['spec', jetstream ? 'jetstream' : 'jetstreamExotic', 'streamConfig'];
  if (streamConfig !== undefined) problems.push(...streamConfigProblems(streamConfig, where));
  return problems;
}

/** Reads Argo's streamConfig, a YAML string or a map; returns the map or the problems. */
export function readStreamConfig(value: unknown): { config?: Record<string, unknown>; error?: string } {
  if (isRecord(value)) return { config: value };
  if (typeof value !== 'string') return { error: 'expected a YAML string or a map' };
  try {
    const parsed: unknown = parse(value);
    if (parsed === null || parsed === undefined) return { config: {} };
    return isRecord(parsed)
      ? { config: parsed }
      : { error: 'the YAML string must hold a map of stream settings' };
  } catch (err) {
    return { error: `the YAML string does not parse: ${(err as Error).message.split('\n')[0]}` };
  }
}

function streamConfigProblems(value: unknown, path: FieldPath): SemanticProblem[] {
  const { config, error } = readStreamConfig(value);
  if (!config) return [{ path, message: error ?? 'is not readable' }];
  const problems: SemanticProblem[] = [];
  for (const key of Object.keys(config)) {
    if (!STREAM_KEYS.has(key)) {
      problems.push({
        path: [...path, key],
        message: `is not a stream setting (known: ${[...STREAM_KEYS].join(', ')})`,
      });
    }
  }
  for (const key of ['maxAge', 'duplicates'] as const) {
    const p = durationProblem([...path, key], config[key]);
    if (p) problems.push(p);
  }
  return problems;
}
