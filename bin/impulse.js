#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// Runs the TypeScript CLI directly through tsx, so `npx impulse` works from a clone without a build step.
// The node flags in the first line are core/node-flags.ts's SERVICE_NODE_FLAGS (see there why).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
