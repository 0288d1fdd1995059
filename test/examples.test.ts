import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, validateManifests } from '../crds/index.ts';
import { REPO_ROOT } from './support/paths.ts';

const EXAMPLES = join(REPO_ROOT, 'examples');
const folders = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

describe('examples', () => {
  it('has examples', () => {
    expect(folders.length).toBeGreaterThan(0);
  });

  it.each(folders)('examples/%s validates', async (folder) => {
    const { verdicts, parseIssues } = await validateManifests([join(EXAMPLES, folder)]);
    expect(parseIssues.map(formatIssue)).toEqual([]);
    expect(verdicts.flatMap((v) => v.errors.map(formatIssue))).toEqual([]);
    expect(verdicts.filter((v) => v.status === 'valid').length).toBeGreaterThan(0);
  });
});
