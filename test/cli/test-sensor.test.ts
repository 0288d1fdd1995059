import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSingle } from '../../crds/index.ts';
import type { SensorExplanation } from '../../sensors/explain.ts';
import { compileSourceFilter } from '../../sensors/expressions/index.ts';
import { runCli } from '../support/cli.ts';
import { REPO_ROOT } from '../support/paths.ts';

const EXAMPLE = join(REPO_ROOT, 'examples/filters');
const SENSOR = join(EXAMPLE, 'sensor.yaml');
const ev = (name: string) => join(EXAMPLE, 'events', name);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'impulse-test-sensor-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('impulse test-sensor on examples/filters', () => {
  it('shows each dependency and filter with its reason, and the triggers that fire, resolved', async () => {
    const result = await runCli([
      'test-sensor',
      SENSOR,
      '--event',
      ev('merged.event'),
      ev('big-merge.event'),
      ev('hotfix-at-night.event'),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('dependency merged-to-main: passes');
    expect(out).toContain('[pass] filters.context: type "webhook", source "filters" as required');
    expect(out).toContain(
      '[pass] filters.data[2] (body.pull_request.base.ref): "main" matches = string ["^main$"]',
    );
    expect(out).toContain(
      '[fail] filters.exprs[0] (additions + deletions < 500): false with additions = 900, deletions = 450',
    );
    expect(out).toContain(
      '[pass] filters.time: event time 23:30:00 Europe/Berlin is within [18:00:00, 08:00:00) across midnight',
    );
    expect(out).toContain('dependency urgent: passes (or: one filter kind is enough)');
    expect(out).toMatch(/fires trigger deploy \(firing [0-9a-f]{32}, events merged-to-main=merged-42\)/);
    expect(out).toContain('POST http://127.0.0.1:12001/deployed (timeout 60 s)');
    expect(out).toContain('"revision": "9f3c1e7"');
    expect(out).toMatch(
      /triggers\n {2}deploy: fired 1 time\n {2}after-hours: fired 1 time\n {2}urgent: fired 1 time\n$/,
    );
  });

  it('prints the same as JSON with --json', async () => {
    const result = await runCli(['test-sensor', SENSOR, '--event', ev('merged.event'), '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as SensorExplanation;
    expect(json.sensor).toBe('filters');
    const [first] = json.events;
    expect(first!.dependencies.map((d) => [d.name, d.pass])).toEqual([
      ['merged-to-main', true],
      ['opened-after-hours', false],
      ['urgent', false],
    ]);
    expect(first!.fired[0]!.preview!.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:12001/deployed',
      body: { pr: '42', revision: '9f3c1e7' },
    });
  });

  it('wraps a bare payload as the named EventSource would, at the time given', async () => {
    const result = await runCli([
      'test-sensor',
      SENSOR,
      '--event',
      ev('labeled-urgent.payload'),
      '--source',
      'filters',
      '--event-name',
      'pull-request',
      '--time',
      '2026-05-04T12:00:00Z',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'id labeled-urgent, filters/pull-request (type webhook), time 2026-05-04T12:00:00.000Z',
    );
    expect(result.stdout).toContain(
      '[pass] filters.data[0] (body.label.name): "urgent" matches = string ["^urgent$"]',
    );
    expect(result.stdout).toMatch(/fires trigger urgent /);
  });

  it('drops at the EventSource what its filter.expression drops: bots, and actions nobody listens to', async () => {
    const { object } = await loadSingle(join(EXAMPLE, 'eventsource.yaml'), 'EventSource');
    const filter = compileSourceFilter(object.spec.webhook!['pull-request']!.filter!, 'filter');
    const { readFile } = await import('node:fs/promises');
    for (const name of ['merged.event', 'big-merge.event', 'hotfix-at-night.event']) {
      const data = (JSON.parse(await readFile(ev(name), 'utf8')) as { data: unknown }).data;
      expect(filter(data).pass).toBe(true);
    }
    const bot = { body: { action: 'opened', sender: { login: 'renovate[bot]' } } };
    expect(filter(bot).pass).toBe(false);
    expect(filter({ body: { action: 'synchronize', sender: { login: 'ada' } } }).pass).toBe(false);
  });
});

describe('impulse test-sensor: secrets and invalid input', () => {
  it('masks secrets in the resolved request', async () => {
    const sensor = join(dir, 'secret-sensor.yaml');
    await writeFile(
      sensor,
      `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
  dependencies: [{name: d, eventSourceName: hooks, eventName: push}]
  triggers:
    - template:
        name: call
        http:
          url: http://127.0.0.1:9/x
          secureHeaders:
            - name: X-Token
              valueFrom: {secretKeyRef: {name: api, key: token}}
          payload:
            - src: {dependencyName: d, dataKey: body.text}
              dest: text
`,
    );
    const event = join(dir, 'push.json');
    await writeFile(event, JSON.stringify({ body: { text: 'the token is tok-123456' } }));
    const result = await runCli(
      ['test-sensor', sensor, '--event', event, '--source', 'hooks', '--event-name', 'push'],
      {
        env: { IMPULSE_SECRET_API_TOKEN: 'tok-123456' },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('x-token: ***');
    expect(result.stdout).toContain('"text": "the token is ***"');
    expect(result.stdout).not.toContain('tok-123456');
  });

  it('exits non-zero, naming the file, for events it cannot use', async () => {
    const bare = join(dir, 'bare.json');
    await writeFile(bare, '{"body": {}}');
    const noSource = await runCli(['test-sensor', SENSOR, '--event', bare]);
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toBe(
      `impulse: ${bare}: not a CloudEvent (no "specversion"); to use it as a bare payload, give --source and --event-name\n`,
    );

    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"specversion": "1.0", ');
    const notJson = await runCli(['test-sensor', SENSOR, '--event', broken]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(new RegExp(`^impulse: ${broken}: not valid JSON`));

    const partial = join(dir, 'partial.json');
    await writeFile(partial, '{"specversion": "1.0", "source": "filters"}');
    const missing = await runCli(['test-sensor', SENSOR, '--event', partial]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('the CloudEvent has no subject, type');

    const badTime = await runCli(['test-sensor', SENSOR, '--event', ev('merged.event'), '--time', 'noon']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toBe('impulse: --time: "noon" is not a time (use RFC 3339)\n');
  });

  it('exits 1 for an invalid Sensor, listing its problems', async () => {
    const sensor = join(dir, 'bad-sensor.yaml');
    await writeFile(
      sensor,
      `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
  dependencies:
    - name: d
      eventSourceName: hooks
      eventName: push
      filters:
        data: [{path: body.ref, type: string, value: ["(unclosed"]}]
  triggers: [{template: {name: t, log: {}}}]
`,
    );
    const result = await runCli(['test-sensor', sensor, '--event', ev('merged.event')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'spec.dependencies[0].filters.data[0].value[0]: "(unclosed" is not a valid RE2 pattern',
    );
  });
});

describe('impulse test-sensor on examples/gitops-on-push', () => {
  it('shows the gitops block with its own parameters applied from the push', async () => {
    const event = join(dir, 'push.event');
    await writeFile(
      event,
      JSON.stringify({
        specversion: '1.0',
        id: 'push-1',
        source: 'gitops-on-push',
        type: 'github',
        subject: 'push',
        datacontenttype: 'application/json',
        data: {
          headers: { 'X-Github-Event': ['push'] },
          body: {
            ref: 'refs/heads/main',
            after: '0123456789abcdef0123456789abcdef01234567',
            repository: { clone_url: 'https://git.example/team/deploy-config.git' },
          },
        },
      }),
    );
    const sensor = join(REPO_ROOT, 'examples/gitops-on-push/sensor.yaml');
    const result = await runCli(['test-sensor', sensor, '--event', event]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"revision":"0123456789abcdef0123456789abcdef01234567"');
    expect(result.stdout).toContain('"repoURL":"https://git.example/team/deploy-config.git"');
    expect(result.stdout).not.toContain('"parameters"');
  });
});
