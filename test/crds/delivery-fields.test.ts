import { describe, expect, it } from 'vitest';
import { parseManifestText, validateDocument } from '../../crds/index.ts';

/** `path: message` for each problem of a Sensor with these dependencies and triggers. */
function problems(body: string): string[] {
  const { documents } = parseManifestText(
    'test.yaml',
    `apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
${body}`,
  );
  return documents.flatMap((d) => {
    const verdict = validateDocument(d);
    return [...verdict.errors, ...verdict.warnings].map((e) => `${e.path}: ${e.message}`);
  });
}

const LOG = (name = 't', extra = '') => `  triggers:
    - template: {name: ${name}, log: {}${extra}}
`;

describe('Impulse delivery fields in a Sensor', () => {
  it('accept an outcomeOf dependency without an EventSource', () => {
    expect(
      problems(`  dependencies:\n    - {name: done, outcomeOf: {sensor: build, trigger: image}}\n${LOG()}`),
    ).toEqual([]);
  });

  it('refuse an outcomeOf dependency that also names an EventSource', () => {
    expect(
      problems(
        `  dependencies:\n    - {name: done, eventSourceName: hooks, eventName: a, outcomeOf: {sensor: build, trigger: image}}\n${LOG()}`,
      ),
    ).toEqual([
      'spec.dependencies[0].eventSourceName: an outcomeOf dependency reads trigger outcomes, not an EventSource; remove eventSourceName',
      'spec.dependencies[0].eventName: an outcomeOf dependency reads trigger outcomes, not an EventSource; remove eventName',
    ]);
  });

  it('still require eventSourceName and eventName without outcomeOf', () => {
    expect(problems(`  dependencies:\n    - {name: a, eventName: a}\n${LOG()}`)).toEqual([
      'spec.dependencies[0].eventSourceName: is required but missing',
    ]);
  });

  it('accept keyed correlation with a window, and refuse mixing keyed and unkeyed dependencies', () => {
    const deps = (keyB: string) => `  correlationWindow: 30m
  dependencies:
    - {name: a, eventSourceName: hooks, eventName: a, correlationKey: body.commit}
    - {name: b, eventSourceName: hooks, eventName: b${keyB}}
`;
    expect(problems(`${deps(', correlationKey: "$.body.sha"')}${LOG()}`)).toEqual([]);
    expect(problems(`${deps('')}${LOG()}`)).toEqual([
      'spec.triggers[0].template.name: joins keyed dependencies (a) with unkeyed ones (b); give every dependency of this trigger a correlationKey, or none',
    ]);
    // A trigger that waits for the keyed dependency alone is fine.
    expect(problems(`${deps('')}${LOG('t', ', conditions: a')}`)).toEqual([]);
  });

  it('refuse a window that is not a duration and a correlation key that is not a path', () => {
    const found = problems(`  correlationWindow: soon
  dependencies:
    - {name: a, eventSourceName: hooks, eventName: a, correlationKey: "body.#(x=="}
${LOG()}`);
    expect(found[0]).toMatch(/^spec\.dependencies\[0\]\.correlationKey: /);
    expect(found[1]).toMatch(/^spec\.correlationWindow: expected a Go duration/);
  });

  it('check conditionsReset schedules and trigger names that become subject tokens', () => {
    const deps = '  dependencies:\n    - {name: a, eventSourceName: hooks, eventName: a}\n';
    expect(
      problems(
        `${deps}${LOG('t', ', conditionsReset: [{byTime: {cron: "0 23 * * *", timezone: Europe/Paris}}]')}`,
      ),
    ).toEqual([]);
    expect(problems(`${deps}${LOG('t', ', conditionsReset: [{byTime: {cron: "every day"}}]')}`)[0]).toMatch(
      /^spec\.triggers\[0\]\.template\.conditionsReset\[0\]\.byTime\.cron: not a cron schedule/,
    );
    expect(
      problems(
        `${deps}${LOG('t', ', conditionsReset: [{byTime: {cron: "0 23 * * *", timezone: Mars/Base}}]')}`,
      ),
    ).toEqual([
      'spec.triggers[0].template.conditionsReset[0].byTime.timezone: unknown time zone "Mars/Base"',
    ]);
    expect(problems(`${deps}${LOG('to.sink')}`)[0]).toMatch(
      /^spec\.triggers\[0\]\.template\.name: trigger name "to\.sink" cannot be used/,
    );
  });

  it('refuse dlqTrigger fields that could have no effect', () => {
    const deps = '  dependencies:\n    - {name: a, eventSourceName: hooks, eventName: a}\n';
    expect(
      problems(`${deps}  triggers:
    - template: {name: t, log: {}}
      dlqTrigger:
        template: {name: dlq, conditions: a, log: {}}
        rateLimit: {requestsPerUnit: 1}
`),
    ).toEqual([
      'spec.triggers[0].dlqTrigger.rateLimit: has no effect on a dlqTrigger, which fires once for each dead letter of its trigger; remove it',
      'spec.triggers[0].dlqTrigger.template.conditions: has no effect on a dlqTrigger, which fires once for each dead letter of its trigger; remove it',
    ]);
  });
});
