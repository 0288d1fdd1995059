import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSource } from '../../../eventsources/file/index.ts';
import { waitFor, within } from '../../support/wait.ts';
import { recording, sourceInit } from '../source-fixture.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'impulse-file-test-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

for (const polling of [false, true]) {
  describe(`file source${polling ? ' (polling)' : ''}`, () => {
    async function watching(eventType: 'CREATE' | 'WRITE' | 'REMOVE' | 'RENAME' | 'CHMOD', extra = {}) {
      const driver = createFileSource(
        sourceInit('file', {
          eventType,
          watchPathConfig: { directory: `${dir}/`, pathRegexp: '([a-z]+)\\.txt', ...extra },
          polling,
        }),
      );
      const rec = recording();
      const running = driver.start(rec.ctx);
      await waitFor(() => rec.readyCalls > 0);
      return {
        rec,
        async stop() {
          rec.stop();
          await within(running, 5000);
        },
      };
    }

    it('reports a created file as {name, op: 1, metadata}, only for matching names', async () => {
      const driver = createFileSource(
        sourceInit('file', {
          eventType: 'CREATE',
          watchPathConfig: { directory: dir, path: 'x.txt' },
          metadata: { team: 'a' },
          polling,
        }),
      );
      const rec = recording();
      const running = driver.start(rec.ctx);
      await waitFor(() => rec.readyCalls > 0);
      await writeFile(join(dir, 'other.txt'), '1');
      await writeFile(join(dir, 'x.txt'), '1');
      await waitFor(() => rec.events.length === 1);
      expect(rec.events[0]!.payload).toEqual({ name: join(dir, 'x.txt'), op: 1, metadata: { team: 'a' } });
      rec.stop();
      await within(running, 5000);
    });

    it('reports writes (op 2)', async () => {
      await writeFile(join(dir, 'log.txt'), 'a');
      const w = await watching('WRITE');
      await writeFile(join(dir, 'log.txt'), 'ab');
      await waitFor(() => w.rec.events.length >= 1);
      expect(w.rec.events[0]!.payload).toEqual({ name: join(dir, 'log.txt'), op: 2 });
      await w.stop();
    });

    it('reports removals (op 4) and the old name of a moved file (op 8)', async () => {
      await writeFile(join(dir, 'gone.txt'), 'a');
      await writeFile(join(dir, 'moved.txt'), 'a');
      const removed = await watching('REMOVE');
      const renamed = await watching('RENAME');
      await rm(join(dir, 'gone.txt'));
      await rename(join(dir, 'moved.txt'), join(dir, 'elsewhere.dat'));
      await waitFor(() => removed.rec.events.length === 1 && renamed.rec.events.length === 1);
      expect(removed.rec.events[0]!.payload).toEqual({ name: join(dir, 'gone.txt'), op: 4 });
      expect(renamed.rec.events[0]!.payload).toEqual({ name: join(dir, 'moved.txt'), op: 8 });
      await removed.stop();
      await renamed.stop();
    });

    it('reports a change of mode (op 16)', async () => {
      await writeFile(join(dir, 'mode.txt'), 'a');
      const w = await watching('CHMOD');
      await chmod(join(dir, 'mode.txt'), 0o600);
      await waitFor(() => w.rec.events.length === 1);
      expect(w.rec.events[0]!.payload).toEqual({ name: join(dir, 'mode.txt'), op: 16 });
      await w.stop();
    });
  });
}
