/**
 * V8 flags for the long-running processes (`impulse eventsource`, `impulse sensor`). Node's defaults
 * let the heap grow to several times the live data before collecting, which puts a busy EventSource
 * at 160-200 MB resident although it holds about 20 MB. A smaller young generation and a heap that
 * grows by half its live size keep it under 100 MB at the same throughput. They set no hard limit, so
 * a process that truly needs more memory still gets it.
 *
 * Used by `impulse dev` for its children and by the benchmarks; `bin/impulse.js` carries the same
 * flags in its `#!` line for `npx impulse`, and a container image should start node with them.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'] as const;
