/**
 * `npm run bench:filters`: events per second through one dependency's filters (five data filters,
 * two exprs, one context and one time filter with a time zone, combined with `and`, every event
 * passing so that every filter runs), in this process. Each event arrives as JSON text, as a
 * sensor reads it from the bus, so the figure is "parse + filter"; the baseline is a plain
 * `JSON.parse` of the same events in the same run, and the ratio is printed. Goal: 100,000 events/s.
 */
import type { EventDependency } from '../crds/index.ts';
import type { CloudEvent } from '../eventbus/index.ts';
// The dependency module alone: the benchmark needs no bus, runtime or triggers.
import { compileDependency } from '../sensors/dependency.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const GOAL = 100_000;
const TWELVE_HOURS = 12 * 3600_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

const dependency: EventDependency = {
  name: 'merged',
  eventSourceName: 'github',
  eventName: 'pull-request',
  filters: {
    context: { type: 'webhook', source: 'github', subject: 'pull-request' },
    time: { start: '00:30:00', stop: '23:30:00', timezone: 'Europe/Berlin' },
    data: [
      { path: 'header.X-Github-Event.0', type: 'string', value: ['^pull_request$'] },
      { path: 'body.action', type: 'string', value: ['^closed$', '^merged$'] },
      { path: 'body.pull_request.base.ref', type: 'string', value: ['^(main|release/.+)$'] },
      { path: 'body.pull_request.merged', type: 'bool', value: ['true'] },
      { path: 'body.pull_request.changed_files', type: 'number', value: ['100'], comparator: '<' },
    ],
    exprs: [
      {
        expr: 'additions + deletions < 5000 && author != "dependabot[bot]"',
        fields: [
          { name: 'additions', path: 'body.pull_request.additions' },
          { name: 'deletions', path: 'body.pull_request.deletions' },
          { name: 'author', path: 'body.pull_request.user.login' },
        ],
      },
      {
        expr: 'label =~ "^(ship|deploy)" || draft == false',
        fields: [
          { name: 'label', path: 'body.pull_request.labels.0.name' },
          { name: 'draft', path: 'body.pull_request.draft' },
        ],
      },
    ],
  },
};

function eventText(i: number, start: number): string {
  const event: CloudEvent = {
    specversion: '1.0',
    id: `delivery-${i}`,
    source: 'github',
    type: 'webhook',
    subject: 'pull-request',
    time: new Date(start + Math.floor((i * TWELVE_HOURS) / EVENTS)).toISOString(),
    datacontenttype: 'application/json',
    data: {
      header: {
        'Content-Type': ['application/json'],
        'X-Github-Event': ['pull_request'],
        'X-Github-Delivery': [`delivery-${i}`],
        'User-Agent': ['GitHub-Hookshot/abc123'],
      },
      body: {
        action: 'closed',
        number: i,
        pull_request: {
          id: 1000 + i,
          title: `Change number ${i}`,
          user: { login: `dev-${i % 50}`, id: i % 50 },
          body: 'A change that does something useful, with a description of reasonable length.',
          labels: [{ name: i % 2 ? 'ship-it' : 'deploy' }, { name: 'team-a' }],
          draft: false,
          merged: true,
          base: { ref: i % 3 ? 'main' : 'release/1.2', sha: 'a'.repeat(40) },
          head: { ref: `feature-${i}`, sha: 'b'.repeat(40) },
          additions: i % 400,
          deletions: i % 300,
          changed_files: i % 40,
        },
        repository: { full_name: 'example/repo', private: false, default_branch: 'main' },
        sender: { login: `dev-${i % 50}` },
      },
    },
  };
  return JSON.stringify(event);
}

// Twelve hours from 01:00 in Berlin, across its switch to summer time at 02:00.
const start = Date.parse('2026-03-29T00:00:00Z');
const texts = Array.from({ length: EVENTS }, (_, i) => eventText(i, start));
const bytes = texts.reduce((sum, t) => sum + t.length, 0);
const compiled = compileDependency(dependency, 'spec.dependencies[0]');

function parseOnly(): number {
  let n = 0;
  for (const text of texts) if ((JSON.parse(text) as CloudEvent).id) n++;
  return n;
}

function parseAndFilter(): number {
  let n = 0;
  for (const text of texts) if (compiled.accepts(JSON.parse(text) as CloudEvent).pass) n++;
  return n;
}

function rate(run: () => number): { perSecond: number; passed: number } {
  const t0 = performance.now();
  const passed = run();
  return { perSecond: EVENTS / ((performance.now() - t0) / 1000), passed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

say(
  `${EVENTS} events of ${Math.round(bytes / EVENTS)} bytes, ${ROUNDS} rounds (median), Node ${process.version}`,
);
// Warm-up: let the JIT see both loops before timing them.
parseOnly();
parseAndFilter();
const baseline: number[] = [];
const filtered: number[] = [];
let passed = 0;
for (let round = 0; round < ROUNDS; round++) {
  // Alternate, so both measurements see the same machine conditions.
  baseline.push(rate(parseOnly).perSecond);
  const r = rate(parseAndFilter);
  filtered.push(r.perSecond);
  passed = r.passed;
}
const base = median(baseline);
const withFilters = median(filtered);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
say(`JSON.parse only:                 ${fmt(base)} events/s`);
say(`JSON.parse + 9 filters (and):    ${fmt(withFilters)} events/s (${passed} of ${EVENTS} passed)`);
say(`ratio:                           ${(withFilters / base).toFixed(2)} of the JSON.parse baseline`);
say(`goal ${fmt(GOAL)} events/s:        ${withFilters >= GOAL ? 'met' : 'NOT met'}`);
if (passed !== EVENTS) {
  say('every event should pass, so that every filter runs; the benchmark is broken');
  process.exitCode = 1;
}
