import { parseGoDuration } from '../../core/duration.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import type { Sensor } from '../sensor.ts';
import { isRecord } from './shared.ts';

/** Fields that only the REST mode reads. */
const REST_ONLY = ['server', 'token', 'insecure', 'tls'] as const;

/**
 * Checks every `argocd` trigger (and `dlqTrigger`) beyond the schema: the REST mode needs `server`
 * and `token`, the kubernetes mode reads neither, and `timeout` is a positive Go duration. A field a
 * parameter sets at run time (its `dest` names it) is not required here.
 */
export function argoCdProblems(sensor: Sensor): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  (sensor.spec.triggers ?? []).forEach((trigger, i) => {
    const path: FieldPath = ['spec', 'triggers', i];
    const outer = (trigger.parameters ?? []).map((p) => p.dest);
    problems.push(...check(trigger.template, [...path, 'template'], outer));
    if (trigger.dlqTrigger) {
      const dlqOuter = (trigger.dlqTrigger.parameters ?? []).map((p) => p.dest);
      problems.push(...check(trigger.dlqTrigger.template, [...path, 'dlqTrigger', 'template'], dlqOuter));
    }
  });
  return problems;
}

function check(template: unknown, path: FieldPath, outerDests: string[]): SemanticProblem[] {
  if (!isRecord(template) || !isRecord(template.argocd)) return [];
  const spec = template.argocd;
  const at: FieldPath = [...path, 'argocd'];
  const inner = Array.isArray(spec.parameters)
    ? spec.parameters.map((p) => (isRecord(p) && typeof p.dest === 'string' ? p.dest : ''))
    : [];
  const setLater = (field: string) =>
    inner.some((d) => d === field || d.startsWith(`${field}.`)) ||
    outerDests.some((d) => d === `argocd.${field}` || d.startsWith(`argocd.${field}.`));
  const problems: SemanticProblem[] = [];
  if (spec.mode === 'kubernetes') {
    for (const field of REST_ONLY) {
      if (spec[field] !== undefined) {
        problems.push({
          path: [...at, field],
          message: `is only used with mode: rest; in kubernetes mode the sensor's kubeconfig reaches the Application. Remove it`,
        });
      }
    }
  } else {
    for (const field of ['server', 'token'] as const) {
      if (spec[field] === undefined && !setLater(field)) {
        problems.push({
          path: [...at, field],
          message:
            field === 'server'
              ? 'is required in rest mode: the Argo CD API server URL, e.g. https://argocd-server.argocd (or set mode: kubernetes)'
              : 'is required in rest mode: a secret reference {name, key} holding an Argo CD API token',
        });
      }
    }
    if (typeof spec.server === 'string' && !/^https?:\/\/[^\s/]+/.test(spec.server)) {
      problems.push({ path: [...at, 'server'], message: `expected an http(s) URL, found "${spec.server}"` });
    }
  }
  if (typeof spec.timeout === 'string' && !((parseGoDuration(spec.timeout) ?? 0) > 0)) {
    problems.push({
      path: [...at, 'timeout'],
      message: `expected a Go duration longer than 0 such as "5m" or "90s", found "${spec.timeout}"`,
    });
  }
  return problems;
}
