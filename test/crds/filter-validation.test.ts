import { describe, expect, it } from 'vitest';
import { formatIssue, parseManifestText, validateDocument } from '../../crds/index.ts';

/** Validates YAML text: `error|warning path: message` for each problem, and whether it is valid. */
function check(text: string): { valid: boolean; problems: string[] } {
  const { documents, issues } = parseManifestText('test.yaml', text);
  if (issues.length > 0) return { valid: false, problems: issues.map(formatIssue) };
  const verdict = validateDocument(documents[0]!);
  return {
    valid: verdict.status === 'valid',
    problems: [...verdict.errors, ...verdict.warnings].map((e) => `${e.severity} ${e.path}: ${e.message}`),
  };
}

const sensor = (filters: string, extra = '') => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: s
spec:
  dependencies:
    - name: a
      eventSourceName: webhook
      eventName: example
${extra}      filters:
${filters}
  triggers:
    - template:
        name: t
        log: {}
`;

const webhook = (filter: string, type = 'webhook') => `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: es
spec:
  ${type}:
    example:
      port: "12000"
      endpoint: /example
      method: POST
      filter:
${filter}
`;

describe('impulse validate: sensor filters', () => {
  it('accepts sound filters without a word', () => {
    expect(
      check(
        sensor(`        data:
          - path: body.ref
            type: string
            value: ["^refs/heads/main$"]
        exprs:
          - expr: n > 1 && kind == "x"
            fields: [{name: n, path: body.n}, {name: kind, path: body.kind}]
        context: {source: webhook, specversion: "1.0"}
        time: {start: "9:00:00", stop: "17:00:00", timezone: Europe/Berlin}`),
      ),
    ).toEqual({ valid: true, problems: [] });
  });

  it('refuses patterns, paths, numbers and expressions that could never work, naming each field', () => {
    const result = check(
      sensor(`        data:
          - path: body.ref
            type: string
            value: ["(unclosed"]
          - path: body.#(n==1
            type: number
            value: ["ten"]
        exprs:
          - expr: a == b
            fields: [{name: a, path: body.a}]
          - expr: a ==
            fields: [{name: a, path: body.a}]
        context: {id: "123"}
        time: {start: "09:00:00", stop: "17:00:00", timezone: Mars/Olympus}`),
    );
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      'error spec.dependencies[0].filters.data[0].value[0]: "(unclosed" is not a valid RE2 pattern: error parsing regexp: missing closing ): `(unclosed`',
      expect.stringMatching(
        /^error spec\.dependencies\[0\]\.filters\.data\[1\]\.path: invalid path .*the query is not closed/,
      ),
      'error spec.dependencies[0].filters.data[1].value[0]: "ten" is not a number',
      'error spec.dependencies[0].filters.exprs[0].expr: uses "b", which is not one of its fields ("a"); add a field {name: b, path: ...}',
      expect.stringMatching(
        /^error spec\.dependencies\[0\]\.filters\.exprs\[1\]\.expr: invalid expression "a =="/,
      ),
      expect.stringMatching(
        /^error spec\.dependencies\[0\]\.filters\.context\.id: Argo Events accepts this attribute here but never compares it/,
      ),
      'error spec.dependencies[0].filters.time.timezone: unknown time zone "Mars/Olympus"; use an IANA name such as "Europe/Berlin"',
    ]);
  });

  it('warns about literal-looking strings that match more, and stays valid', () => {
    const result = check(
      sensor(`        data:
          - path: body.ref
            type: string
            value: [main, "^release-.*$"]
          - path: header.X-Github-Event
            type: string
            value: [push]`),
    );
    expect(result).toEqual({
      valid: true,
      problems: [
        'warning spec.dependencies[0].filters.data[0].value[0]: "main" is a regular expression found anywhere in the value, so it also matches values such as "main-2" or "old-main"; write "^main$" to match exactly "main"',
        'warning spec.dependencies[0].filters.data[1].value[0]: "push" is a regular expression found anywhere in the value, so it also matches values such as "push-2" or "old-push"; read one value with path "header.X-Github-Event.0" (header values are lists) and write "^push$" to match exactly "push"',
      ],
    });
  });

  it('keeps the string comparator check: a string compares with = or != only', () => {
    expect(
      check(
        sensor(`        data:
          - path: body.ref
            type: string
            comparator: ">"
            value: ["^a$"]`),
      ).problems,
    ).toEqual([
      'error spec.dependencies[0].filters.data[0].comparator: a string filter compares with "=" or "!=" only, found ">"',
    ]);
  });

  it('prints the problems with file and line through impulse validate’s formatter', () => {
    const { documents } = parseManifestText(
      's.yaml',
      sensor(`        context: {time: "2026-01-01T00:00:00Z"}`),
    );
    const verdict = validateDocument(documents[0]!);
    expect(verdict.errors.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^s\.yaml:11: spec\.dependencies\[0\]\.filters\.context\.time: Argo Events accepts/,
      ),
    ]);
  });
});

describe('impulse validate: EventSource filter.expression', () => {
  it('accepts the supported subset', () => {
    expect(
      check(
        webhook(
          '        expression: body.action in ["opened", "closed"] && !(body.sender.login endsWith "[bot]")',
        ),
      ),
    ).toEqual({ valid: true, problems: [] });
  });

  it('refuses what the subset does not have, and an empty filter, naming the field', () => {
    expect(check(webhook('        expression: len(body.commits) > 1')).problems).toEqual([
      expect.stringMatching(
        /^error spec\.webhook\.example\.filter\.expression: invalid expression "len\(body\.commits\) > 1": function calls such as len\(\.\.\.\) are not supported/,
      ),
    ]);
    expect(check(webhook('        {}')).problems).toEqual([
      'error spec.webhook.example.filter.expression: is required: with no expression Argo Events drops every event; write one, such as body.action == "opened", or remove the filter',
    ]);
  });

  it('leaves the resource source’s own filter (which selects objects to watch) alone', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: es
spec:
  resource:
    example:
      namespace: default
      group: apps
      version: v1
      resource: deployments
      eventTypes: [ADD]
      filter:
        afterStart: true
`;
    expect(check(text)).toEqual({ valid: true, problems: [] });
  });
});
