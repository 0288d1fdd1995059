/** The messages between the sensor and its script worker. */

export interface ScriptJob {
  id: number;
  /** `lua`: a script filter or transform; `jq`: a jq transform; `jq-check`: compile a jq program only. */
  kind: 'lua' | 'jq' | 'jq-check';
  source: string;
  /** The event data, a JSON object (ignored by `jq-check`). */
  data: unknown;
  /** Lua instructions the script may execute. */
  instructionBudget: number;
}

export type ScriptReply =
  | { id: number; ok: true; result: unknown; isTrue: boolean }
  | {
      id: number;
      ok: false;
      error: string;
      /** The script itself is wrong (syntax), as opposed to failing on this event. */
      syntax?: boolean;
      /** The worker's state may be damaged; it exits after sending this. */
      fatal?: boolean;
    };

/** The most bytes one Lua string or buffer may have inside the worker. */
export const MAX_BUFFER_BYTES = 16 * 1024 * 1024;
/** The most bytes jq's WebAssembly memory may grow to. */
export const MAX_WASM_BYTES = 256 * 1024 * 1024;
