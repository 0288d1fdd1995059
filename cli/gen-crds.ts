import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CRD_DIR, renderCrdFiles } from '../crds/generate.ts';

/** Writes the EventSource, Sensor and EventBus CRDs to deploy/crds/. */
await mkdir(CRD_DIR, { recursive: true });
for (const [name, text] of Object.entries(renderCrdFiles())) {
  const path = join(CRD_DIR, name);
  await writeFile(path, text);
  console.log(`wrote ${path} (${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB)`);
}
