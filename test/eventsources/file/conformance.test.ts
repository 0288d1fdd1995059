import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSource } from '../../../eventsources/file/index.ts';
import { type MakeSource, runSourceConformance } from '../conformance.ts';
import { sourceInit } from '../source-fixture.ts';

function harness(polling: boolean): MakeSource {
  return async (kind, options = {}) => {
    if (kind === 'broken') {
      const missing = join(tmpdir(), `impulse-missing-${randomUUID()}`);
      const driver = createFileSource(
        sourceInit('file', {
          eventType: 'CREATE',
          watchPathConfig: { directory: missing, pathRegexp: '.*' },
          polling,
        }),
      );
      return {
        start: (ctx) => driver.start(ctx),
        produce: async () => undefined,
        expectedStartupError: new RegExp(`cannot watch directory ${missing}`),
      };
    }
    let directory: string;
    if (options.group) {
      directory = join(tmpdir(), `impulse-files-${options.group}`);
      mkdirSync(directory, { recursive: true });
    } else directory = await mkdtemp(join(tmpdir(), 'impulse-files-'));
    const driver = createFileSource(
      sourceInit(
        'file',
        { eventType: 'CREATE', watchPathConfig: { directory, pathRegexp: '\\.txt$' }, polling },
        { services: options.leases ? { leases: options.leases } : {} },
      ),
    );
    return {
      start: (ctx) => driver.start(ctx),
      produce: () => writeFile(join(directory, `${randomUUID()}.txt`), 'x'),
      cleanup: async () => {
        await rm(directory, { recursive: true, force: true });
        if (options.group) rmSync(directory, { recursive: true, force: true });
      },
    };
  };
}

runSourceConformance('file', harness(false), { lease: true });
runSourceConformance('file (polling)', harness(true), { lease: true });
