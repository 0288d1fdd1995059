/** jq-web: jq compiled to WebAssembly. Its module resolves to the instance once the module is ready. */
declare module 'jq-web' {
  const jq: Promise<{
    /** Runs `filter` on the JSON text with jq's command-line flags; returns what jq printed. */
    raw(json: string, filter: string, flags?: string[]): string | undefined;
  }>;
  export default jq;
}
