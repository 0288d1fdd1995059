import { spawn } from 'node:child_process';
import { ImpulseError } from './errors.ts';

/** How long one git command may run before it is stopped. */
export const GIT_TIMEOUT_MS = 120_000;

export interface GitRunOptions {
  /** Added to the environment (credentials as git configuration, an SSH command). */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** @default GIT_TIMEOUT_MS */
  timeoutMs?: number;
  cwd?: string;
}

/**
 * Failures that retrying cannot fix: a missing ref, revision, path or repository, refused
 * credentials, a bad URL or refspec. Everything else (a network error, a busy server) is transient.
 */
const PERMANENT_FAILURE =
  /couldn't find remote ref|not our ref|Needed a single revision|did not match|unknown revision|bad revision|not a valid object name|does not exist|does not appear to be a git repository|repository .* not found|not found|Authentication failed|could not read Username|Permission denied|Host key verification failed|invalid refspec|invalid|unsupported/i;

/** Credentials in URLs (`https://user:token@host`) never reach a message or a log. */
export function redactGitText(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/g, '//***@');
}

/**
 * Runs the system `git` with an argument array (no shell), never prompting for credentials, in
 * the C locale so its messages can be classified, and resolves with its standard output. A failure
 * is an ImpulseError: `PERMANENT` when git is missing or what was asked cannot exist, `TRANSIENT`
 * otherwise, `TIMEOUT` after `timeoutMs`, `CLOSED` when `signal` aborts; the message is git's own
 * last lines of standard error, with credentials in URLs masked, and `details.stderr` holds it all.
 */
export function runGit(args: readonly string[], options: GitRunOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? GIT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const command = gitCommandName(args);
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], {
      env: {
        ...process.env,
        ...options.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_ASKPASS: '',
        SSH_ASKPASS: '',
        LC_ALL: 'C',
      },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(new ImpulseError('PERMANENT', 'git is not installed: the `git` command must be on PATH'));
      } else if (e.name === 'AbortError') {
        reject(
          timeout.aborted
            ? new ImpulseError('TIMEOUT', `git ${command} took longer than ${timeoutMs / 1000} s`)
            : new ImpulseError('CLOSED', `git ${command} was aborted`),
        );
      } else {
        reject(new ImpulseError('TRANSIENT', `git ${command} failed to start: ${e.message}`, { cause: e }));
      }
    });
    child.on('close', (code) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      const stderr = redactGitText(Buffer.concat(err).toString('utf8').trim());
      const last = stderr.split('\n').filter(Boolean).slice(-3).join('; ') || `exit code ${code}`;
      reject(
        new ImpulseError(
          PERMANENT_FAILURE.test(stderr) ? 'PERMANENT' : 'TRANSIENT',
          `git ${command}: ${last}`,
          {
            details: { exitCode: code, stderr: stderr.slice(0, 2000) },
          },
        ),
      );
    });
  });
}

/** The subcommand of an argument list, past global options such as `-C DIR` and `-c KEY=VALUE`. */
function gitCommandName(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-C' || arg === '-c') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return '';
}
