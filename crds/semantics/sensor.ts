import { compileCondition } from '../../sensors/expressions/index.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import { type Sensor, TRIGGER_TYPES } from '../sensor.ts';
import { argoCdProblems } from './argocd.ts';
import { deliveryProblems } from './delivery.ts';
import { filterProblems } from './filters.ts';
import { gitopsProblems } from './gitops.ts';
import { kubernetesTriggerProblems } from './kubernetes-triggers.ts';
import { duplicateNames, durationProblem, isRecord, subjectTokenProblem } from './shared.ts';
import { templateProblems } from './templates.ts';

const CONDITION_OPERATORS = /&&|\|\||!|\(|\)/g;

/** Checks a Sensor beyond its schema: names, references between fields, durations and conditions. */
export function sensorSemantics(object: Sensor): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const push = (p: SemanticProblem | undefined) => p && problems.push(p);
  const spec = object.spec;

  push(subjectTokenProblem(['metadata', 'name'], object.metadata.name ?? '', 'Sensor name'));
  if (spec.errorOnFailedRound === true) {
    problems.push({
      path: ['spec', 'errorOnFailedRound'],
      message:
        'is not implemented (Argo Events declares it but does nothing with it); a failed trigger goes to the dead-letter stream instead. Remove the field',
    });
  }

  const dependencies = spec.dependencies ?? [];
  const names = new Set<string>();
  dependencies.forEach((dep, i) => {
    const path: FieldPath = ['spec', 'dependencies', i];
    names.add(dep.name);
    push(subjectTokenProblem([...path, 'eventSourceName'], dep.eventSourceName, 'eventSourceName'));
    push(subjectTokenProblem([...path, 'eventName'], dep.eventName, 'eventName'));
  });
  problems.push(
    ...duplicateNames(
      dependencies.map((d, i) => ({ name: d.name, path: ['spec', 'dependencies', i, 'name'] })),
      'dependency name',
    ),
  );

  const triggers = spec.triggers ?? [];
  problems.push(
    ...duplicateNames(
      triggers.map((t, i) => ({ name: t.template.name, path: ['spec', 'triggers', i, 'template', 'name'] })),
      'trigger name',
    ),
  );
  triggers.forEach((trigger, i) => {
    const path: FieldPath = ['spec', 'triggers', i];
    problems.push(...triggerProblems(trigger as unknown as Record<string, unknown>, path, names));
    if (trigger.dlqTrigger) {
      problems.push(
        ...triggerProblems(
          trigger.dlqTrigger as unknown as Record<string, unknown>,
          [...path, 'dlqTrigger'],
          names,
        ),
      );
    }
  });
  problems.push(...filterProblems(object), ...templateProblems(object), ...deliveryProblems(object));
  problems.push(...argoCdProblems(object));
  problems.push(...kubernetesTriggerProblems(object));
  problems.push(...gitopsProblems(object));
  return problems;
}

function triggerProblems(
  trigger: Record<string, unknown>,
  path: FieldPath,
  dependencies: Set<string>,
): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const template = (trigger.template ?? {}) as Record<string, unknown>;
  const typeKeys = Object.keys(template).filter(
    (k) => !['name', 'conditions', 'conditionsReset'].includes(k),
  );
  if (typeKeys.length !== 1) {
    problems.push({
      path: [...path, 'template'],
      message:
        typeKeys.length === 0
          ? `names no trigger type; add exactly one of ${TRIGGER_TYPES.join(', ')}`
          : `holds ${typeKeys.length} trigger types (${typeKeys.join(', ')}); a trigger has exactly one`,
    });
  }

  if (typeof template.conditions === 'string' && template.conditions.trim() !== '') {
    const tokens = template.conditions.replace(CONDITION_OPERATORS, ' ').split(/\s+/).filter(Boolean);
    const unknown = tokens.filter((token) => !dependencies.has(token));
    for (const token of unknown) {
      problems.push({
        path: [...path, 'template', 'conditions'],
        message: `mentions "${token}", which is not a dependency of this sensor (dependencies: ${[...dependencies].join(', ')})`,
      });
    }
    // With every name known, what is left to go wrong is the syntax (`a &&`, unbalanced parentheses).
    if (unknown.length === 0) {
      try {
        compileCondition(template.conditions, [...dependencies]);
      } catch (err) {
        problems.push({ path: [...path, 'template', 'conditions'], message: (err as Error).message });
      }
    }
  }

  const retry = trigger.retryStrategy;
  if (isRecord(retry)) {
    const p = durationProblem([...path, 'retryStrategy', 'duration'], retry.duration);
    if (p) problems.push(p);
  }
  const policyBackoff = (trigger.policy as { k8s?: { backoff?: { duration?: unknown } } } | undefined)?.k8s
    ?.backoff;
  if (policyBackoff) {
    const p = durationProblem([...path, 'policy', 'k8s', 'backoff', 'duration'], policyBackoff.duration);
    if (p) problems.push(p);
  }

  // Every parameter source must name a dependency of this sensor.
  const parameterLists: Array<[FieldPath, unknown]> = [[[...path, 'parameters'], trigger.parameters]];
  for (const type of typeKeys) {
    const body = template[type];
    if (!isRecord(body)) continue;
    parameterLists.push([[...path, 'template', type, 'parameters'], body.parameters]);
    if (type === 'http' || type === 'nats')
      parameterLists.push([[...path, 'template', type, 'payload'], body.payload]);
  }
  for (const [listPath, list] of parameterLists) {
    if (!Array.isArray(list)) continue;
    list.forEach((parameter, k) => {
      const dependencyName = (parameter as { src?: { dependencyName?: string } }).src?.dependencyName;
      if (dependencyName !== undefined && !dependencies.has(dependencyName)) {
        problems.push({
          path: [...listPath, k, 'src', 'dependencyName'],
          message: `"${dependencyName}" is not a dependency of this sensor (dependencies: ${[...dependencies].join(', ')})`,
        });
      }
    });
  }
  return problems;
}
