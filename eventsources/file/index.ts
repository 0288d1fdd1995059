import { join } from 'node:path';
import { RE2JS } from 're2js';
import { ImpulseError, isImpulseError } from '../../core/errors.ts';
import { runUnderLease, sourceLeaseKey } from '../active-passive.ts';
import { pause } from '../queue/backoff.ts';
import { busMayRecover, InFlight } from '../queue/hold.ts';
import type { EventSourceDriver, SourceConfig, SourceContext, SourceInit } from '../types.ts';
import { type DirectoryWatch, FILE_OPS, type FileChange, type FileOp, watchDirectory } from './watch.ts';

export { FILE_OPS, type FileOp } from './watch.ts';

/** Argo Events' file payload (fsnotify's event): the path, the operation's bit, and metadata. */
export interface FilePayload {
  /** The file's path: the watched directory joined with its name. */
  name: string;
  /** CREATE 1, WRITE 2, REMOVE 4, RENAME 8, CHMOD 16. */
  op: number;
  metadata?: Record<string, string>;
}

type FileConfig = SourceConfig<'file'>;

/** How often the `polling` mode looks, as Argo Events' polling watcher. */
export const POLL_MS = 100;

/**
 * The `file` source: watches the files directly inside `watchPathConfig.directory` (with the
 * kernel's notifications, or by polling every 100 ms with `polling: true`) and publishes the
 * `eventType` operations on files named `path`, or matching `pathRegexp` (RE2, unanchored, as Go's
 * `regexp.MatchString`). The file system keeps no history, so an event that arrives while the bus
 * cannot take it is gone, and counted as dropped.
 */
export function createFileSource(init: SourceInit<FileConfig>): EventSourceDriver {
  const { config, path } = init;
  const { directory } = config.watchPathConfig;
  const wanted = config.watchPathConfig.path;
  let pattern: RE2JS | undefined;
  if (config.watchPathConfig.pathRegexp) {
    try {
      pattern = RE2JS.compile(config.watchPathConfig.pathRegexp);
    } catch (err) {
      throw new ImpulseError(
        'INVALID_MANIFEST',
        `${path}.watchPathConfig.pathRegexp: not a valid RE2 expression: ${(err as Error).message}`,
      );
    }
  }
  if (!wanted && !pattern) {
    throw new ImpulseError('INVALID_MANIFEST', `${path}.watchPathConfig: set path or pathRegexp`);
  }
  const matches = (name: string) => (wanted ? name === wanted : pattern!.matcher(name).find());
  const metadata = config.metadata && Object.keys(config.metadata).length > 0 ? config.metadata : undefined;
  const op: FileOp = config.eventType;
  return {
    start: (ctx) =>
      runUnderLease({
        ctx,
        leases: init.services.leases,
        key: sourceLeaseKey(init.namespace, init.eventSourceName, init.eventName),
        work: (signal) =>
          watchUntilStopped(ctx, signal, path, directory, config.polling ?? false, (change) => {
            if (change.op !== op || !matches(change.name)) return undefined;
            const payload: FilePayload = { name: join(directory, change.name), op: FILE_OPS[change.op] };
            if (metadata) payload.metadata = metadata;
            return payload;
          }),
      }),
  };
}

async function watchUntilStopped(
  ctx: SourceContext,
  signal: AbortSignal,
  path: string,
  directory: string,
  polling: boolean,
  select: (change: FileChange) => FilePayload | undefined,
): Promise<void> {
  const inFlight = new InFlight();
  const onChange = (change: FileChange) => {
    const payload = select(change);
    if (!payload) return;
    void inFlight.track(
      ctx.dispatch(payload).then(
        () => undefined,
        (err: unknown) => {
          if (busMayRecover(err) || isImpulseError(err, 'CLOSED')) ctx.dropped();
          else {
            ctx.rejected();
            ctx.logger.error({ file: payload.name, err: (err as Error).message }, 'file event refused');
          }
        },
      ),
    );
  };
  let first = true;
  while (!signal.aborted) {
    let watching: DirectoryWatch;
    try {
      watching = await watchDirectory(directory, onChange, polling ? { pollMs: POLL_MS } : {});
    } catch (err) {
      if (first) {
        throw new ImpulseError(
          'INVALID_INPUT',
          `${path}: cannot watch directory ${directory}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      ctx.logger.warn({ directory, err: (err as Error).message }, 'cannot watch the directory yet; retrying');
      await pause(1000, signal);
      continue;
    }
    if (first) {
      ctx.logger.info({ directory, polling }, 'watching');
      ctx.ready();
    }
    first = false;
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const outcome = await Promise.race([stopped.then(() => 'stop' as const), watching.broken]);
    watching.close();
    if (outcome !== 'stop') {
      ctx.logger.warn({ directory, err: String(outcome) }, 'the directory watch broke; watching again');
    }
  }
  await inFlight.drain();
}
