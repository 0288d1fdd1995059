import { describe, expect, it } from 'vitest';
import { formatIssue, parseManifestText, validateDocument } from '../../crds/index.ts';

/** Validates YAML text and returns `path: message` for each error (and warning). */
function problems(text: string): string[] {
  const { documents, issues } = parseManifestText('test.yaml', text);
  if (issues.length > 0) return issues.map(formatIssue);
  return documents.flatMap((d) => {
    const verdict = validateDocument(d);
    return [...verdict.errors, ...verdict.warnings].map((e) => `${e.path}: ${e.message}`);
  });
}

const sensor = (spec: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: s
spec:
${spec}`;

const DEPS = `  dependencies:
    - name: a
      eventSourceName: webhook
      eventName: example
    - name: b
      eventSourceName: webhook
      eventName: other
`;

const LOG_TRIGGER = `  triggers:
    - template:
        name: t
        log: {}
`;

describe('unknown fields', () => {
  it('suggests the field a typo meant', () => {
    expect(
      problems(
        sensor(
          `${DEPS.replace('eventSourceName: webhook\n      eventName: example', 'eventSourceNme: webhook\n      eventName: example')}${LOG_TRIGGER}`,
        ),
      ),
    ).toEqual([
      'spec.dependencies[0].eventSourceName: is required but missing',
      'spec.dependencies[0].eventSourceNme: is not a field here; did you mean eventSourceName?',
    ]);
  });

  it('says where a misplaced field belongs', () => {
    const text = sensor(`${DEPS}  triggers:
    - template:
        name: t
        retryStrategy: {steps: 3}
        log: {}
`);
    expect(problems(text)).toEqual([
      'spec.triggers[0].template.retryStrategy: is not a field here; retryStrategy belongs at spec.triggers[0].retryStrategy',
    ]);
  });

  it('names an unknown field with nothing like it', () => {
    const [message] = problems(sensor(`${DEPS}${LOG_TRIGGER}  colour: blue\n`));
    expect(message).toMatch(/^spec\.colour: is not a known field/);
  });
});

describe('types', () => {
  it('rejects a trigger type Impulse does not support, by name', () => {
    const text = sensor(`${DEPS}  triggers:
    - template:
        name: t
        kafka: {url: x, topic: y}
`);
    expect(problems(text)).toEqual([
      'spec.triggers[0].template.kafka: trigger type "kafka" is not supported by Impulse; supported trigger types: log, http, k8s, argoWorkflow, nats, argocd, gitops',
    ]);
  });

  it('names every trigger type when a template has none', () => {
    const text = sensor(`${DEPS}  triggers:
    - template:
        name: t
`);
    expect(problems(text)).toContain(
      'spec.triggers[0].template: names no trigger type; add exactly one of log, http, k8s, argoWorkflow, nats, argocd, gitops',
    );
  });

  it('rejects a source type Impulse does not support, by name', () => {
    const text = `apiVersion: impulse.dev/v1alpha1
kind: EventSource
metadata: {name: es}
spec:
  sqs:
    example: {region: us-east-1, queue: q}
`;
    expect(problems(text)).toEqual([
      'spec.sqs: source type "sqs" is not supported by Impulse; supported source types: webhook, github, gitlab, bitbucket, bitbucketserver, gitea, calendar, nats, amqp, mqtt, redis, redisStream, file, resource',
    ]);
  });

  it('says what was expected and what was found', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: es}
spec:
  webhook:
    example: {port: 12000, endpoint: /x, method: POST}
`;
    expect(problems(text)).toEqual(['spec.webhook.example.port: expected a string, found number 12000']);
  });

  it('rejects an apiVersion it does not own', () => {
    expect(problems('apiVersion: v1\nkind: Sensor\nmetadata: {name: x}\nspec: {}\n')).toEqual([
      'apiVersion: expected impulse.dev/v1alpha1 or argoproj.io/v1alpha1, found "v1"',
    ]);
  });
});

describe('checks beyond the schema', () => {
  it('finds duplicate dependency and trigger names', () => {
    const text = sensor(`${DEPS.replace('name: b', 'name: a')}  triggers:
    - template: {name: t, log: {}}
    - template: {name: t, log: {}}
`);
    expect(problems(text)).toEqual([
      'spec.dependencies[1].name: duplicate dependency name "a" (also at spec.dependencies[0].name)',
      'spec.triggers[1].template.name: duplicate trigger name "t" (also at spec.triggers[0].template.name)',
    ]);
  });

  it('rejects names that would break a bus subject', () => {
    const text = sensor(`  dependencies:
    - {name: a, eventSourceName: web.hook, eventName: "ex ample"}
${LOG_TRIGGER}`);
    expect(problems(text)).toEqual([
      'spec.dependencies[0].eventSourceName: eventSourceName "web.hook" cannot be used: names become NATS subject tokens and must not contain ".", "*", ">" or spaces',
      'spec.dependencies[0].eventName: eventName "ex ample" cannot be used: names become NATS subject tokens and must not contain ".", "*", ">" or spaces',
    ]);
  });

  it('rejects conditions that mention unknown dependencies', () => {
    const text = sensor(`${DEPS}  triggers:
    - template:
        name: t
        conditions: "(a || c) && b"
        log: {}
`);
    expect(problems(text)).toEqual([
      'spec.triggers[0].template.conditions: mentions "c", which is not a dependency of this sensor (dependencies: a, b)',
    ]);
  });

  it('rejects conditions that do not parse', () => {
    const text = sensor(`${DEPS}  triggers:
    - template:
        name: t
        conditions: "(a || b"
        log: {}
`);
    const [message] = problems(text);
    expect(message).toMatch(/^spec\.triggers\[0\]\.template\.conditions: .+/);
    expect(problems(text)).toHaveLength(1);
  });

  it('rejects durations that do not parse, and reads bare integers as nanoseconds', () => {
    const bad = sensor(`${DEPS}  triggers:
    - template: {name: t, log: {}}
      retryStrategy: {steps: 3, duration: 5 seconds}
`);
    expect(problems(bad)).toEqual([
      'spec.triggers[0].retryStrategy.duration: expected a Go duration such as "10s", "1m30s" or "500ms" (a bare integer counts as nanoseconds), found "5 seconds"',
    ]);
    const good = bad.replace('5 seconds', '1000000000');
    expect(problems(good)).toEqual([]);
  });

  it('rejects parameters that name an unknown dependency', () => {
    const text = sensor(`${DEPS}  triggers:
    - template:
        name: t
        http:
          url: http://localhost:1/x
          payload:
            - src: {dependencyName: nope, dataKey: body}
              dest: x
`);
    expect(problems(text)).toEqual([
      'spec.triggers[0].template.http.payload[0].src.dependencyName: "nope" is not a dependency of this sensor (dependencies: a, b)',
    ]);
  });

  it('rejects errorOnFailedRound, which Argo Events declares but never implements', () => {
    const [message] = problems(sensor(`${DEPS}${LOG_TRIGGER}  errorOnFailedRound: true\n`));
    expect(message).toMatch(/^spec\.errorOnFailedRound: is not implemented/);
  });

  it('rejects two webhook events on the same port, method and endpoint', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: es}
spec:
  webhook:
    one: {port: "12000", endpoint: /x, method: POST}
    two: {port: "12000", endpoint: /x, method: post}
`;
    expect(problems(text)).toEqual([
      'spec.webhook.two.endpoint: POST /x on port 12000 is already used by spec.webhook.one; each event needs its own endpoint',
    ]);
  });

  it('rejects a calendar event without a schedule or an interval, and recurrence', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: es}
spec:
  calendar:
    tick: {timezone: Mars/Olympus, recurrence: ["RRULE:FREQ=DAILY"]}
`;
    expect(problems(text)).toEqual([
      'spec.calendar.tick: a calendar event needs a schedule (cron) or an interval (Go duration)',
      'spec.calendar.tick.timezone: unknown time zone "Mars/Olympus"; use an IANA name such as "Europe/Berlin"',
      'spec.calendar.tick.recurrence: is not implemented (Argo Events declares it but never reads it); use schedule, interval and exclusionDates',
    ]);
  });

  it('needs exactly one bus kind and readable stream settings', () => {
    const both = `apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata: {name: default}
spec:
  jetstreamExotic:
    url: nats://127.0.0.1:4222
    streamConfig: |
      maxAge: 2 days
      colour: blue
`;
    expect(problems(both)).toEqual([
      'spec.jetstreamExotic.streamConfig.colour: is not a stream setting (known: maxMsgs, maxAge, maxBytes, replicas, duplicates, retention, discard, maxMsgSize, streamName)',
      'spec.jetstreamExotic.streamConfig.maxAge: expected a Go duration such as "10s", "1m30s" or "500ms" (a bare integer counts as nanoseconds), found "2 days"',
    ]);
    expect(
      problems('apiVersion: impulse.dev/v1alpha1\nkind: EventBus\nmetadata: {name: default}\nspec: {}\n'),
    ).toEqual([
      'spec: needs exactly one of jetstream (a NATS cluster the controller runs) or jetstreamExotic (an existing NATS)',
    ]);
  });
});

describe('documents', () => {
  it('reports YAML syntax errors with their line', () => {
    expect(problems('kind: Sensor\nspec:\n  a: [1, 2\n')[0]).toMatch(/^test\.yaml:\d+: not valid YAML/);
  });

  it('reports duplicate keys, which YAML forbids and Go would silently merge', () => {
    expect(problems('kind: Sensor\nkind: EventSource\n')[0]).toMatch(
      /not valid YAML: Map keys must be unique/,
    );
  });

  it('skips kinds that Impulse does not own, and loads every document of a file', () => {
    const { documents } = parseManifestText(
      'multi.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${sensor(`${DEPS}${LOG_TRIGGER}`)}`,
    );
    const verdicts = documents.map(validateDocument);
    expect(verdicts.map((v) => [v.source.document, v.status])).toEqual([
      [1, 'ignored'],
      [2, 'valid'],
    ]);
  });

  it('points at the line of the offending field', () => {
    const { documents } = parseManifestText('x.yaml', sensor(`${DEPS}${LOG_TRIGGER}  colour: blue\n`));
    const [error] = validateDocument(documents[0]!).errors;
    expect(formatIssue(error!)).toMatch(/^x\.yaml:17: spec\.colour:/);
  });
});
