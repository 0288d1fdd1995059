import { ImpulseError, isImpulseError } from '../../core/errors.ts';

/** The sync the trigger asks for, whichever way it reaches Argo CD. */
export interface SyncRequest {
  revision: string | undefined;
  prune: boolean | undefined;
  dryRun: boolean | undefined;
  strategy: 'hook' | 'apply';
  syncOptions: string[] | undefined;
  resources: Array<{ group?: string; kind: string; name: string; namespace?: string }> | undefined;
  /** Who asked, for the Application's operation record (kubernetes mode). */
  reason: string;
}

/** One way of talking to Argo CD about one Application. */
export interface ArgoCdClient {
  /** Names the server and application, for messages. */
  readonly describe: string;
  /** Starts a sync; rejects with the in-progress error while another operation runs. */
  sync(request: SyncRequest, signal: AbortSignal): Promise<void>;
  /** The Application object as JSON. */
  get(signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

/** Argo CD's refusal while an operation runs: "another operation is already in progress". */
export function isInProgressMessage(message: string): boolean {
  return /another operation is already in progress/i.test(message);
}

/** The error a client throws while another operation runs; the trigger waits and asks again. */
export function inProgressError(where: string, message: string): ImpulseError {
  return new ImpulseError('TRANSIENT', `${where}: ${message}`, { details: { inProgress: true } });
}

export function isInProgress(err: unknown): boolean {
  return isImpulseError(err) && err.details?.inProgress === true;
}
