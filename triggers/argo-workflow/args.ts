import type { ArgoWorkflowOperation } from '../../crds/index.ts';

/** What the `args` of an argoWorkflow trigger ask for, read the way the `argo` CLI reads them. */
export interface WorkflowArgs {
  name?: string;
  generateName?: string;
  entrypoint?: string;
  serviceAccount?: string;
  /** `-p NAME=VALUE`, in order. */
  parameters: Array<[string, string]>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `--node-field-selector`: the suspend nodes resume or stop acts on. */
  nodeFieldSelector?: string;
  /** `--message` for stop. */
  message?: string;
}

interface Flag {
  names: string[];
  /** The operations the flag means something for. */
  operations: readonly ArgoWorkflowOperation[];
  set(args: WorkflowArgs, value: string): string | undefined;
}

const keyValues = (text: string, into: Record<string, string>): string | undefined => {
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) return `expected NAME=VALUE[,NAME=VALUE...], found "${text}"`;
    into[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return undefined;
};

/** A flag whose value goes to one string field. */
const assign =
  (field: 'name' | 'generateName' | 'entrypoint' | 'serviceAccount' | 'nodeFieldSelector' | 'message') =>
  (args: WorkflowArgs, value: string): undefined => {
    args[field] = value;
    return undefined;
  };

const FLAGS: Flag[] = [
  { names: ['--name'], operations: ['submit'], set: assign('name') },
  { names: ['--generate-name'], operations: ['submit'], set: assign('generateName') },
  { names: ['--entrypoint'], operations: ['submit'], set: assign('entrypoint') },
  { names: ['--serviceaccount'], operations: ['submit'], set: assign('serviceAccount') },
  {
    names: ['-p', '--parameter'],
    operations: ['submit'],
    set: (a, v) => {
      const at = v.indexOf('=');
      if (at <= 0) return `expected NAME=VALUE, found "${v}"`;
      a.parameters.push([v.slice(0, at), v.slice(at + 1)]);
      return undefined;
    },
  },
  { names: ['-l', '--labels'], operations: ['submit'], set: (a, v) => keyValues(v, a.labels) },
  { names: ['--annotations'], operations: ['submit'], set: (a, v) => keyValues(v, a.annotations) },
  {
    names: ['--node-field-selector'],
    operations: ['resume', 'stop'],
    set: assign('nodeFieldSelector'),
  },
  { names: ['--message'], operations: ['stop'], set: assign('message') },
];

export interface ArgsProblem {
  /** Index in `args`. */
  index: number;
  message: string;
  severity: 'error' | 'warning';
}

/**
 * Reads `args` for an operation: the `argo` CLI flags that have a meaning without the CLI. A flag
 * Impulse does not know is an error naming the ones it does; a known flag that means nothing for
 * this operation is a warning (ignored, as Argo Events' own special-workflow-trigger example passes
 * `--node-field-selector` to submit).
 */
export function parseWorkflowArgs(
  args: readonly string[] | undefined,
  operation: ArgoWorkflowOperation,
): { args: WorkflowArgs; problems: ArgsProblem[] } {
  const out: WorkflowArgs = { parameters: [], labels: {}, annotations: {} };
  const problems: ArgsProblem[] = [];
  const list = args ?? [];
  for (let i = 0; i < list.length; i++) {
    const at = i;
    const arg = list[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = FLAGS.find((f) => f.names.includes(name));
    if (!flag) {
      problems.push({
        index: i,
        severity: 'error',
        message: `"${arg}" is not an argument Impulse understands (it runs no argo CLI); supported: ${FLAGS.map((f) => f.names.join('/')).join(', ')}`,
      });
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < list.length) value = list[++i];
    if (value === undefined) {
      problems.push({ index: at, severity: 'error', message: `${name} needs a value` });
      continue;
    }
    if (!flag.operations.includes(operation)) {
      problems.push({
        index: at,
        severity: 'warning',
        message: `${name} has no effect with operation ${operation} (only with ${flag.operations.join(', ')}); it is ignored`,
      });
      continue;
    }
    const error = flag.set(out, value);
    if (error) problems.push({ index: at, severity: 'error', message: `${name}: ${error}` });
  }
  return { args: out, problems };
}
