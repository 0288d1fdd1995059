import { isImpulseError } from '../../core/errors.ts';
import { luaSyntaxError } from '../../sensors/scripts/index.ts';
import { compileTemplate } from '../../sensors/templates/index.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import type { Sensor } from '../sensor.ts';
import { isRecord } from './shared.ts';

/** Keys of a trigger type block that hold parameter lists. */
const PARAMETER_LISTS = ['parameters', 'payload', 'dynamicHeaders'];

/**
 * Checks a Sensor's templates and scripts at load: every `dataTemplate`, `contextTemplate` and data
 * filter `template` must parse and call only functions Impulse has (a Sprig function it leaves out
 * is named as such); every Lua `script` (filter or transform) must parse; a transform sets `jq` or
 * `script`, not both. jq programs are compiled when the sensor starts, in its script worker.
 */
export function templateProblems(sensor: Sensor): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const spec = sensor.spec;

  (spec.dependencies ?? []).forEach((dep, i) => {
    const path: FieldPath = ['spec', 'dependencies', i];
    dep.filters?.data?.forEach((filter, j) => {
      checkTemplate(filter.template, [...path, 'filters', 'data', j, 'template'], problems);
    });
    checkLua(dep.filters?.script, [...path, 'filters', 'script'], problems);
    const transform = dep.transform;
    if (transform) {
      if (transform.jq && transform.script) {
        problems.push({
          path: [...path, 'transform'],
          message: 'sets both jq and script; set one (Argo Events would silently ignore the script)',
        });
      }
      checkLua(transform.script, [...path, 'transform', 'script'], problems);
    }
  });

  (spec.triggers ?? []).forEach((trigger, i) => {
    const path: FieldPath = ['spec', 'triggers', i];
    checkTrigger(trigger as unknown as Record<string, unknown>, path, problems);
    if (isRecord(trigger.dlqTrigger)) checkTrigger(trigger.dlqTrigger, [...path, 'dlqTrigger'], problems);
  });
  return problems;
}

function checkTrigger(trigger: Record<string, unknown>, path: FieldPath, problems: SemanticProblem[]): void {
  checkParameters(trigger.parameters, [...path, 'parameters'], problems);
  const template = trigger.template;
  if (!isRecord(template)) return;
  for (const [type, block] of Object.entries(template)) {
    if (!isRecord(block)) continue;
    for (const key of PARAMETER_LISTS) {
      checkParameters(block[key], [...path, 'template', type, key], problems);
    }
  }
}

function checkParameters(list: unknown, path: FieldPath, problems: SemanticProblem[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((parameter, k) => {
    const src = isRecord(parameter) ? parameter.src : undefined;
    if (!isRecord(src)) return;
    for (const field of ['dataTemplate', 'contextTemplate'] as const) {
      const value = src[field];
      if (typeof value === 'string') checkTemplate(value, [...path, k, 'src', field], problems);
    }
  });
}

function checkTemplate(source: string | undefined, path: FieldPath, problems: SemanticProblem[]): void {
  if (source === undefined || source === '') return;
  try {
    compileTemplate(source);
  } catch (err) {
    if (!isImpulseError(err)) throw err;
    problems.push({ path, message: err.message });
  }
}

function checkLua(source: string | undefined, path: FieldPath, problems: SemanticProblem[]): void {
  if (source === undefined || source === '') return;
  const error = luaSyntaxError(source);
  if (error) problems.push({ path, message: `Lua syntax error: ${error}` });
}
