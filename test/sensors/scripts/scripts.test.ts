import { afterAll, describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { createCloudEvent } from '../../../eventbus/index.ts';
import type { FilterVerdict } from '../../../sensors/filters/index.ts';
import { compileScriptFilter, ScriptRunner } from '../../../sensors/scripts/index.ts';
import { compileScriptStages, compileTransform } from '../../../sensors/transform.ts';

// One runner for the file (its worker starts once), with a short time budget so overruns are quick.
const runner = new ScriptRunner({ timeoutMs: 500 });
afterAll(() => runner.close());

const event = createCloudEvent({
  id: 'e1',
  source: 'webhook',
  type: 'webhook',
  subject: 'example',
  data: { body: { action: 'opened', count: 3, labels: ['bug', 'ui'], draft: null } },
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('Lua script filters', () => {
  it('pass when the script returns true, with the event data as the global event', async () => {
    const filter = compileScriptFilter(
      'return event.body.action == "opened" and #event.body.labels == 2',
      'f',
      runner,
    );
    expect(await filter(event.data)).toEqual({ pass: true, reason: 'f: the script returned true' });
    const no = compileScriptFilter('return event.body.count > 5', 'f', runner);
    expect((await no(event.data)).pass).toBe(false);
    // Only Lua's true passes: a truthy value that is not true does not.
    expect((await compileScriptFilter('return 1', 'f', runner)(event.data)).pass).toBe(false);
  });

  it('see numbers as Argo Events (gopher-lua, Lua 5.1) shows them, and have its 5.1 names', async () => {
    const filter = compileScriptFilter(
      'return tostring(event.body.count) == "3" and unpack({true})',
      'f',
      runner,
    );
    expect((await filter(event.data)).pass).toBe(true);
  });

  it('run without io, os, require, load or dofile', async () => {
    for (const script of [
      'return io.open("/etc/passwd")',
      'return os.execute("true")',
      'return require("os")',
      'return load("return true")()',
      'return dofile("/x")',
    ]) {
      const verdict = await compileScriptFilter(script, 'f', runner)(event.data);
      expect(verdict.pass, script).toBe(false);
      expect(verdict.reason, script).toMatch(/attempt to (index|call) a nil value/);
    }
  });

  it('fail with the reason on a runtime error, and refuse a syntax error when compiled', async () => {
    expect((await compileScriptFilter('error("nope")', 'f', runner)(event.data)).reason).toBe(
      'f: script:1: nope',
    );
    let error: unknown;
    try {
      compileScriptFilter('return (', 'spec.f.script', runner);
    } catch (err) {
      error = err;
    }
    expect(isImpulseError(error, 'INVALID_MANIFEST')).toBe(true);
    expect((error as Error).message).toContain('spec.f.script: Lua syntax error: script:1:');
  });
});

describe('transforms', () => {
  it('jq: the first output replaces the data, which must be an object', async () => {
    const jq = compileTransform(
      { jq: '{action: .body.action, n: (.body.labels | length)}' },
      'spec.t',
      runner,
    )!;
    await jq.prepare();
    const out = await jq.apply(event);
    expect(out.data).toEqual({ action: 'opened', n: 2 });
    expect(out.id).toBe('e1');
    const many = compileTransform({ jq: '.body.labels[] | {label: .}' }, 't', runner)!;
    expect((await many.apply(event)).data).toEqual({ label: 'bug' });
    const notObject = await rejection(compileTransform({ jq: '.body.labels' }, 't', runner)!.apply(event));
    expect(notObject.message).toBe('t.jq: the jq transformation output must be a JSON object');
    const none = await rejection(compileTransform({ jq: 'empty' }, 't', runner)!.apply(event));
    expect(none.message).toBe('t.jq: no output available from the jq command execution');
    expect(
      (await compileTransform({ jq: '{e: ($ENV | length), f: input_filename}' }, 't', runner)!.apply(event))
        .data,
    ).toEqual({
      e: 0,
      f: null,
    });
  });

  it('jq: a program that does not compile is refused by prepare, naming the field', async () => {
    const err = await rejection(
      compileTransform({ jq: '.body |||' }, 'spec.dependencies[0].transform', runner)!.prepare(),
    );
    expect(isImpulseError(err, 'INVALID_MANIFEST')).toBe(true);
    expect(err.message).toMatch(/^spec\.dependencies\[0\]\.transform\.jq: jq: error: syntax error/);
    expect(err.message).toContain('line 1');
  });

  it('Lua: the returned table replaces the data, arrays and objects as Argo Events converts them', async () => {
    const lua = compileTransform(
      {
        script:
          'event.body.count = event.body.count * 2; event.extra = setmetatable({}, {__is_array = true}); return event',
      },
      't',
      runner,
    )!;
    expect((await lua.apply(event)).data).toEqual({
      body: { action: 'opened', count: 6, labels: ['bug', 'ui'] },
      extra: [],
    });
    const notTable = await rejection(compileTransform({ script: 'return 1' }, 't', runner)!.apply(event));
    expect(notTable.message).toBe('t.script: the transformation script output must be a JSON object');
  });

  it('refuses jq and script together, and data that is not an object', async () => {
    expect(() => compileTransform({ jq: '.', script: 'return event' }, 't', runner)).toThrow(
      't: set either jq or script, not both',
    );
    expect(compileTransform({}, 't', runner)).toBeUndefined();
    const jq = compileTransform({ jq: '.' }, 't', runner)!;
    const err = await rejection(jq.apply({ ...event, data: [1, 2] }));
    expect(err.message).toBe('t.jq: the event data is not a JSON object');
  });
});

describe('script stages of a dependency (transform, then filters with the script)', () => {
  const dependency = { name: 'd', eventSourceName: 'es', eventName: 'e' };
  const pass: FilterVerdict = { pass: true, reason: 'others pass' };
  const fail: FilterVerdict = { pass: false, reason: 'others fail' };

  it('is undefined without a transform or a script', () => {
    expect(compileScriptStages(dependency, 'd', runner)).toBeUndefined();
  });

  it('transforms before the other filters see the event', async () => {
    const stages = compileScriptStages(
      { ...dependency, transform: { jq: '{action: .body.action}' } },
      'd',
      runner,
    )!;
    await stages.prepare();
    let seen: unknown;
    const { event: shaped, verdict } = await stages.evaluate(event, (e) => {
      seen = e.data;
      return pass;
    });
    expect(seen).toEqual({ action: 'opened' });
    expect(shaped.data).toEqual({ action: 'opened' });
    expect(verdict).toBe(pass);
  });

  it('combines the script with the other filters by filtersLogicalOperator', async () => {
    const filters = { script: 'return event.body.count == 3', data: [] };
    const and = compileScriptStages({ ...dependency, filters }, 'd', runner)!;
    expect((await and.evaluate(event, () => fail)).verdict).toBe(fail);
    expect((await and.evaluate(event, () => pass)).verdict.pass).toBe(true);
    const or = compileScriptStages({ ...dependency, filters, filtersLogicalOperator: 'or' }, 'd', runner)!;
    expect((await or.evaluate(event, () => pass)).verdict).toBe(pass);
    expect((await or.evaluate(event, () => fail)).verdict.pass).toBe(true);
    const alone = compileScriptStages({ ...dependency, filters: { script: 'return false' } }, 'd', runner)!;
    expect((await alone.evaluate(event, () => pass)).verdict.pass).toBe(false);
  });
});

describe('budgets: a script cannot hang or exhaust the sensor', () => {
  it('stops a Lua loop at its instruction budget without stopping the worker', async () => {
    // A time budget far beyond the instruction budget, so a busy machine cannot hit it first.
    const patient = new ScriptRunner({ timeoutMs: 30_000 });
    try {
      const filter = compileScriptFilter('while true do end', 'f', patient);
      expect((await filter(event.data)).reason).toMatch(/the script ran more than 10000000 instructions/);
      expect((await compileScriptFilter('return true', 'f', patient)(event.data)).pass).toBe(true);
    } finally {
      await patient.close();
    }
  });

  it('ends a jq program that runs past its time, keeps the main thread free meanwhile, and recovers', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const started = performance.now();
    const err = await rejection(compileTransform({ jq: 'def f: f; f' }, 't', runner)!.apply(event));
    clearInterval(timer);
    expect(err.message).toBe('t.jq: the script did not finish within 500 ms and was stopped');
    expect((err as { details?: Record<string, unknown> }).details).toMatchObject({ reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(ticks).toBeGreaterThan(10);
    expect((await compileTransform({ jq: '{ok: true}' }, 't', runner)!.apply(event)).data).toEqual({
      ok: true,
    });
  });

  it('refuses huge Lua strings and survives a heap exhaustion', async () => {
    const big = await rejection(
      compileTransform(
        { script: 'local s = "x" for i = 1, 40 do s = s .. s end return {}' },
        't',
        runner,
      )!.apply(event),
    );
    expect(big.message).toMatch(/out of memory|larger than the limit/);
    const rep = await rejection(
      compileTransform({ script: 'return {s = string.rep("x", 1e9)}' }, 't', runner)!.apply(event),
    );
    expect(rep.message).toMatch(/larger than the limit|too much memory|out of memory/);
    const heap = await rejection(
      compileTransform(
        { script: 'local t = {} for i = 1, 5e6 do t[i] = {i, i} end return {}' },
        't',
        runner,
      )!.apply(event),
    );
    expect(heap.message).toMatch(/memory|did not finish|instructions/);
    expect((await compileScriptFilter('return true', 'f', runner)(event.data)).pass).toBe(true);
  });

  it('runs jobs one at a time in order, and fails queued jobs on close', async () => {
    const own = new ScriptRunner({ timeoutMs: 2000 });
    const results = await Promise.all([1, 2, 3].map((n) => own.run('lua', `return {n = ${n}}`, {})));
    expect(results.map((r) => r.result)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const pending = rejection(own.run('lua', 'local x = 0 for i = 1, 1e6 do x = x + i end return {}', {}));
    const queued = rejection(own.run('lua', 'return {}', {}));
    await own.close();
    await own.close();
    expect(isImpulseError(await pending, 'CLOSED')).toBe(true);
    expect(isImpulseError(await queued, 'CLOSED')).toBe(true);
    expect(isImpulseError(await rejection(own.run('lua', 'return {}', {})), 'CLOSED')).toBe(true);
  });
});
