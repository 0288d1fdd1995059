import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Argo Events' example manifests (../shared/compat/argo-events beside the repository). */
export const ARGO_COMPAT_DIR = fileURLToPath(new URL('../../../shared/compat/argo-events/', import.meta.url));
