// Starts the script worker from its TypeScript source (tests, `npx impulse`): the compiled build
// starts worker.js directly. Worker threads do not inherit the parent's tsx hooks, so register them.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
