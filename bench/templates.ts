/**
 * `npm run bench:templates`: how fast Impulse shapes trigger payloads, on this machine.
 *   (a) a plain JSON round trip of the event data (JSON.stringify + JSON.parse): the baseline
 *   (b) a typical dataTemplate with three Sprig calls, rendered in-process
 *   (c) a jq transform and (d) a Lua transform, each a round trip through the script worker
 * It prints operations per second for each and the ratio to (a) measured in the same run. Goals:
 * (b) >= 100,000 renders/s; (c) and (d) >= 500 transforms/s.
 */
import { createCloudEvent } from '../eventbus/index.ts';
import { ScriptRunner } from '../sensors/scripts/index.ts';
import { compileTemplate } from '../sensors/templates/index.ts';
import { compileTransform } from '../sensors/transform.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const say = (line: string) => process.stdout.write(`${line}\n`);

const data = {
  header: { 'Content-Type': ['application/json'], 'X-Github-Event': ['push'] },
  body: {
    ref: 'refs/heads/main',
    after: '2c065a0123456789abcdef0123456789abcdef01',
    repository: { name: 'shop-api', full_name: 'acme/shop-api', private: false },
    pusher: { name: 'ada', email: 'ada@example.com' },
    commits: [{ id: 'a1', message: 'Fix checkout', added: [], removed: [], modified: ['cart.go'] }],
  },
};
const event = createCloudEvent({ id: 'e1', source: 'github', type: 'github', subject: 'push', data });

/** Runs `op` repeatedly for the configured time (after a warm-up) and returns operations per second. */
async function measure(op: () => unknown): Promise<number> {
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) await op();
  let count = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await op();
    count += 50;
  }
  return (count / (performance.now() - start)) * 1000;
}

/** The same, for synchronous work (no await per operation, so the loop costs nothing extra). */
function measureSync(op: () => unknown): number {
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) op();
  let count = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) op();
    count += 1000;
  }
  return (count / (performance.now() - start)) * 1000;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const template = compileTemplate(
    '{{ .Input.body.repository.name | upper }}/{{ .Input.body.ref | trimPrefix "refs/heads/" }}@{{ .Input.body.after | trunc 7 }}',
  );
  const input = { Input: data };
  say(`dataTemplate output: ${template.render(input)}`);

  const baseline = measureSync(() => JSON.parse(JSON.stringify(data)));
  const renders = measureSync(() => template.render(input));

  const runner = new ScriptRunner({ timeoutMs: 5000 });
  try {
    const jq = compileTransform(
      { jq: '{repo: .body.repository.name, branch: (.body.ref | ltrimstr("refs/heads/"))}' },
      'jq',
      runner,
    )!;
    const lua = compileTransform(
      {
        script:
          'return {repo = event.body.repository.name, branch = string.gsub(event.body.ref, "^refs/heads/", "")}',
      },
      'lua',
      runner,
    )!;
    await jq.prepare();
    say(
      `jq output: ${JSON.stringify((await jq.apply(event)).data)}; Lua output: ${JSON.stringify((await lua.apply(event)).data)}`,
    );
    const jqRate = await measure(() => jq.apply(event));
    const luaRate = await measure(() => lua.apply(event));

    say('');
    say(`(a) JSON round trip of the event data:     ${fmt(baseline)} /s`);
    say(
      `(b) dataTemplate, three Sprig calls:        ${fmt(renders)} renders/s  (${(renders / baseline).toFixed(2)}x the JSON round trip)`,
    );
    say(
      `(c) jq transform, through the worker:       ${fmt(jqRate)} transforms/s  (${(jqRate / baseline).toFixed(4)}x)`,
    );
    say(
      `(d) Lua transform, through the worker:      ${fmt(luaRate)} transforms/s  (${(luaRate / baseline).toFixed(4)}x)`,
    );
  } finally {
    await runner.close();
  }
}

await main();
