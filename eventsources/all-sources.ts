import { SOURCE_TYPES } from '../crds/index.ts';
import { loadSources, type SourceRegistry } from './registry.ts';

/** Every source factory, loaded at once: for tests that build registries of their own. */
export const sources: SourceRegistry = await loadSources(SOURCE_TYPES);
