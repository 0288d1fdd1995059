import { type FSWatcher, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** fsnotify's operations, with the bit values Argo Events puts in the payload's `op`. */
export const FILE_OPS = { CREATE: 1, WRITE: 2, REMOVE: 4, RENAME: 8, CHMOD: 16 } as const;
export type FileOp = keyof typeof FILE_OPS;

export interface FileChange {
  /** The file's name inside the directory. */
  name: string;
  op: FileOp;
}

interface Entry {
  ino: number;
  size: number;
  mtimeMs: number;
  mode: number;
}

/** A running directory watch. */
export interface DirectoryWatch {
  /** Settles when the watch breaks (the directory went away). */
  readonly broken: Promise<unknown>;
  close(): void;
}

export interface WatchOptions {
  /** Poll every `pollMs` instead of asking the kernel (inotify), as Argo Events' `polling`. */
  pollMs?: number;
}

/**
 * Watches the files directly inside `directory` and reports, per file, what fsnotify would: CREATE,
 * WRITE, REMOVE, RENAME (for the old name of a moved file; the new name gets CREATE) and CHMOD.
 * Both modes compare each file's metadata with what was seen before; the kernel mode looks at the
 * file an event names, the polling mode at the whole directory every `pollMs`. Rejects when the
 * directory cannot be read.
 */
export async function watchDirectory(
  directory: string,
  onChange: (change: FileChange) => void,
  options: WatchOptions = {},
): Promise<DirectoryWatch> {
  const known = new Map<string, Entry>();
  for (const [name, entry] of await snapshot(directory)) known.set(name, entry);
  let settleBroken!: (reason: unknown) => void;
  const broken = new Promise<unknown>((resolve) => {
    settleBroken = resolve;
  });
  let closed = false;

  /** Reports the difference between what was known of `names` and what is there now. */
  const reconcile = (now: Map<string, Entry>, names: Iterable<string>) => {
    const gone: Array<[string, Entry]> = [];
    const appeared: string[] = [];
    for (const name of names) {
      const before = known.get(name);
      const after = now.get(name);
      if (before && !after) gone.push([name, before]);
      else if (after && (!before || before.ino !== after.ino)) appeared.push(name);
      else if (before && after) {
        if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) onChange({ name, op: 'WRITE' });
        else if (after.mode !== before.mode) onChange({ name, op: 'CHMOD' });
      }
      if (after) known.set(name, after);
      else known.delete(name);
    }
    const movedInodes = new Set(appeared.map((n) => now.get(n)!.ino));
    for (const [name, entry] of gone)
      onChange({ name, op: movedInodes.has(entry.ino) ? 'RENAME' : 'REMOVE' });
    for (const name of appeared) onChange({ name, op: 'CREATE' });
  };

  if (options.pollMs) {
    let polling: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      polling = polling.then(async () => {
        if (closed) return;
        try {
          const now = await snapshot(directory);
          if (!closed) reconcile(now, new Set([...known.keys(), ...now.keys()]));
        } catch (err) {
          settleBroken(err);
        }
      });
    }, options.pollMs);
    return {
      broken,
      close() {
        closed = true;
        clearInterval(timer);
      },
    };
  }

  // Events for several names can come in one burst (a move is two); look at them together.
  const pending = new Set<string>();
  let scheduled = false;
  const flush = async () => {
    scheduled = false;
    const names = [...pending];
    pending.clear();
    const now = new Map<string, Entry>();
    await Promise.all(
      names.map(async (name) => {
        const entry = await statEntry(join(directory, name));
        if (entry) now.set(name, entry);
      }),
    );
    if (!closed) reconcile(now, names);
  };
  const watcher: FSWatcher = watch(directory, { persistent: false }, (_event, filename) => {
    if (!filename || closed) return;
    pending.add(filename.toString());
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void flush());
    }
  });
  watcher.on('error', (err) => settleBroken(err));
  return {
    broken,
    close() {
      closed = true;
      watcher.close();
    },
  };
}

async function snapshot(directory: string): Promise<Map<string, Entry>> {
  const names = await readdir(directory);
  const entries = new Map<string, Entry>();
  await Promise.all(
    names.map(async (name) => {
      const entry = await statEntry(join(directory, name));
      if (entry) entries.set(name, entry);
    }),
  );
  return entries;
}

async function statEntry(path: string): Promise<Entry | undefined> {
  try {
    const s = await stat(path);
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, mode: s.mode };
  } catch {
    return undefined;
  }
}
