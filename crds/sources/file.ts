import { type Static, Type } from '@sinclair/typebox';
import { Metadata } from '../common.ts';
import { Enum, Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** Which files to watch: a directory, and a file name or a pattern inside it. */
export const WatchPathConfig = Obj({
  directory: Type.String({ minLength: 1, description: 'Absolute path of the directory to watch.' }),
  path: Opt(Type.String({ description: 'File name relative to `directory`; set this or `pathRegexp`.' })),
  pathRegexp: Opt(Type.String({ description: 'Regular expression (RE2) for file names in `directory`.' })),
});
export type WatchPathConfig = Static<typeof WatchPathConfig>;

/** File operations the source can report, named as fsnotify names them. */
export const FILE_EVENT_TYPES = ['CREATE', 'WRITE', 'REMOVE', 'RENAME', 'CHMOD'] as const;

/** One `spec.file.<event>` entry: changes to files in a local directory. */
export const FileEventSource = Obj(
  {
    eventType: Enum(FILE_EVENT_TYPES, 'The file operation that produces an event.'),
    watchPathConfig: WatchPathConfig,
    polling: Opt(Type.Boolean({ description: 'Poll the directory instead of using inotify.' })),
    metadata: Opt(Metadata),
    filter: Opt(EventSourceFilter),
  },
  'Changes to files in a local directory.',
);
export type FileEventSource = Static<typeof FileEventSource>;
