import { parseGoDuration } from '../../core/duration.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import { GITOPS_SYNC_OPTIONS, type GitOpsTrigger } from '../sensor/triggers/gitops.ts';
import type { Sensor } from '../sensor.ts';
import { isRecord } from './shared.ts';

/** RFC 1123 label: what Kubernetes accepts as a namespace, and what an application name must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** URL schemes git can fetch from, and scp-like SSH (`git@host:org/repo.git`). */
const REPO_URL = /^(file|https?|git|ssh):\/\/\S+$|^[\w.-]+@[\w.-]+:\S+$/;
const FIELDS = new Set([
  'name',
  'repoURL',
  'revision',
  'path',
  'destination',
  'directory',
  'syncOptions',
  'prune',
  'dryRun',
  'ignoreDifferences',
  'retry',
  'credentials',
  'operation',
  'syncWhen',
  'waveDelay',
  'waveTimeout',
  'kubeconfig',
]);

/** Checks every `gitops` trigger of a Sensor (and of its `dlqTrigger`s) beyond the schema. */
export function gitopsProblems(sensor: Sensor): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  (sensor.spec.triggers ?? []).forEach((trigger, i) => {
    const templates: Array<[FieldPath, unknown, unknown]> = [
      [['spec', 'triggers', i], trigger.template, trigger.parameters],
    ];
    if (trigger.dlqTrigger) {
      templates.push([
        ['spec', 'triggers', i, 'dlqTrigger'],
        trigger.dlqTrigger.template,
        trigger.dlqTrigger.parameters,
      ]);
    }
    for (const [path, template, outer] of templates) {
      const gitops = isRecord(template) ? template.gitops : undefined;
      if (!isRecord(gitops)) continue;
      problems.push(
        ...gitopsTemplateProblems(gitops as GitOpsTrigger, [...path, 'template', 'gitops'], outer),
      );
    }
  });
  return problems;
}

/**
 * The static checks of one gitops block: fields that parameters do not set must be complete and
 * well-formed; parameters must write to fields that exist.
 */
function gitopsTemplateProblems(spec: GitOpsTrigger, path: FieldPath, outer: unknown): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const parameterized = new Set<string>();
  (spec.parameters ?? []).forEach((parameter, k) => {
    const top = parameter.dest.split('.')[0]!;
    if (!FIELDS.has(top)) {
      problems.push({
        path: [...path, 'parameters', k, 'dest'],
        message: `"${parameter.dest}" is not a field of the gitops trigger (fields: ${[...FIELDS].join(', ')})`,
      });
    }
    parameterized.add(parameter.dest);
  });
  if (Array.isArray(outer)) {
    for (const parameter of outer) {
      const dest = (parameter as { dest?: unknown }).dest;
      if (typeof dest === 'string' && dest.startsWith('gitops.'))
        parameterized.add(dest.slice('gitops.'.length));
    }
  }
  const fromEvent = (field: string) =>
    [...parameterized].some((d) => d === field || d.startsWith(`${field}.`) || field.startsWith(`${d}.`));
  problems.push(...resolvedGitOpsProblems(spec, path, fromEvent));
  return problems;
}

/**
 * Checks a gitops block's values, skipping the fields `fromEvent` says parameters set (they are
 * checked again once resolved, at run time). Paths are relative to `path`.
 */
export function resolvedGitOpsProblems(
  spec: GitOpsTrigger,
  path: FieldPath,
  fromEvent: (field: string) => boolean = () => false,
): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const at = (...rest: Array<string | number>): FieldPath => [...path, ...rest];
  const check = (field: string, ok: boolean, message: string, severity?: 'warning') => {
    if (!ok && !fromEvent(field))
      problems.push({ path: at(...field.split('.')), message, ...(severity ? { severity } : {}) });
  };

  const required: Array<[string, unknown]> = [
    ['name', spec.name],
    ['repoURL', spec.repoURL],
    ['destination.namespace', spec.destination?.namespace],
  ];
  for (const [field, value] of required) {
    check(
      field,
      typeof value === 'string' && value !== '',
      `is required: set it here or from the event with a parameter whose dest is ${field}`,
    );
  }
  if (typeof spec.name === 'string' && spec.name !== '') {
    check(
      'name',
      DNS_LABEL.test(spec.name) && spec.name.length <= 63,
      `"${spec.name}" is not a valid application name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit (it names the ConfigMap impulse-app-<name> and a label value)`,
    );
  }
  const namespace = spec.destination?.namespace;
  if (typeof namespace === 'string' && namespace !== '') {
    check(
      'destination.namespace',
      DNS_LABEL.test(namespace) && namespace.length <= 63,
      `"${namespace}" is not a valid namespace name (a DNS label: lower-case letters, digits and "-", at most 63)`,
    );
  }
  if (typeof spec.repoURL === 'string' && spec.repoURL !== '') {
    check(
      'repoURL',
      REPO_URL.test(spec.repoURL),
      `"${spec.repoURL}" is not a repository URL git can fetch: use file://, http(s)://, git://, ssh:// or user@host:path`,
    );
  }
  if (spec.revision !== undefined)
    check('revision', spec.revision.trim() !== '', 'must not be empty; leave it out for HEAD');
  if (spec.path !== undefined) {
    const segments = spec.path.split('/');
    check(
      'path',
      !spec.path.startsWith('/') && !segments.includes('..'),
      `"${spec.path}" must be a folder inside the repository (relative, without "..")`,
    );
  }
  (spec.syncOptions ?? []).forEach((option, k) => {
    const [key, value, extra] = option.split('=');
    const allowed = key === undefined ? undefined : GITOPS_SYNC_OPTIONS[key];
    if (fromEvent('syncOptions')) return;
    if (!allowed || value === undefined || extra !== undefined || !allowed.includes(value)) {
      problems.push({
        path: at('syncOptions', k),
        message: `"${option}" is not a supported sync option; use Key=Value with one of ${Object.entries(
          GITOPS_SYNC_OPTIONS,
        )
          .map(([name, values]) => `${name}=${values.join('|')}`)
          .join(', ')}`,
      });
    }
  });
  (spec.ignoreDifferences ?? []).forEach((rule, k) => {
    (rule.jsonPointers ?? []).forEach((pointer, j) => {
      if (pointer !== '' && !pointer.startsWith('/')) {
        problems.push({
          path: at('ignoreDifferences', k, 'jsonPointers', j),
          message: `"${pointer}" is not a JSON pointer; it starts with "/", e.g. /spec/replicas`,
        });
      }
    });
  });
  const retry = spec.retry;
  if (retry) {
    if (retry.limit !== undefined) {
      check(
        'retry.limit',
        Number.isInteger(retry.limit) && retry.limit >= 0,
        `must be 0 or more (Argo CD reads a negative limit as "retry forever", which would hold the event forever; give a number)`,
      );
    }
    const backoff = retry.backoff;
    if (backoff?.duration !== undefined)
      check(
        'retry.backoff.duration',
        argoCdDurationMs(backoff.duration) !== undefined,
        durationMessage(backoff.duration),
      );
    if (backoff?.maxDuration !== undefined)
      check(
        'retry.backoff.maxDuration',
        argoCdDurationMs(backoff.maxDuration) !== undefined,
        durationMessage(backoff.maxDuration),
      );
    if (backoff?.factor !== undefined)
      check('retry.backoff.factor', backoff.factor >= 1, `must be 1 or more, found ${backoff.factor}`);
    if (backoff && !retry.limit)
      check(
        'retry.limit',
        false,
        'is 0, so the backoff is never used; set limit to the number of retries',
        'warning',
      );
  }
  for (const field of ['waveDelay', 'waveTimeout'] as const) {
    const value = spec[field];
    if (value === undefined) continue;
    const ms = parseGoDuration(value);
    check(field, ms !== undefined && ms >= 0 && (field === 'waveDelay' || ms > 0), durationMessage(value));
  }
  const operation = spec.operation ?? 'sync';
  if (operation === 'refresh' && spec.syncWhen === 'Always') {
    check(
      'syncWhen',
      false,
      'Always contradicts operation refresh, which never applies; use operation: sync to sync unconditionally, or syncWhen: OutOfSync to sync when the refresh finds drift',
    );
  }
  if (operation === 'refresh' && spec.syncWhen === undefined && spec.dryRun !== undefined) {
    check('dryRun', false, 'has no effect with operation refresh, which never applies', 'warning');
  }
  if (spec.kubeconfig !== undefined)
    check(
      'kubeconfig',
      spec.kubeconfig !== '',
      'must name a kubeconfig file; leave it out to use the service account or KUBECONFIG',
    );
  const url = spec.repoURL ?? '';
  const { username, password, sshPrivateKey } = spec.credentials ?? {};
  if (sshPrivateKey && /^(https?|file):/.test(url)) {
    check(
      'credentials.sshPrivateKey',
      false,
      `is only used with ssh repository URLs; ${url} is not one`,
      'warning',
    );
  }
  if ((username || password) && /^(ssh:|[\w.-]+@[\w.-]+:)/.test(url)) {
    check(
      'credentials',
      false,
      `username and password are only used with http(s) repository URLs; ${url} is ssh, use sshPrivateKey`,
      'warning',
    );
  }
  return problems;
}

function durationMessage(value: unknown): string {
  return `expected a Go duration such as "5s", "3m" or "1m30s", found ${JSON.stringify(value)}`;
}

/**
 * Milliseconds in an Argo CD backoff duration: a Go duration, or a bare number of seconds (Argo CD's
 * default unit there). Undefined when it is neither.
 */
export function argoCdDurationMs(value: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const ms = parseGoDuration(value);
  return ms !== undefined && ms >= 0 ? ms : undefined;
}
