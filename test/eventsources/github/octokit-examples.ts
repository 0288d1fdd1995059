import { createRequire } from 'node:module';

interface WebhookExamples {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookExamples[];

/** Real GitHub deliveries of event `name` from `@octokit/webhooks-examples`, picked by `where`. */
export function githubExample(
  name: string,
  where: (payload: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const found = examples.find((e) => e.name === name)?.examples.find(where);
  if (!found) throw new Error(`no ${name} example in @octokit/webhooks-examples matches`);
  return structuredClone(found);
}

/** A push to `refs/heads/master` (about 7 KB). */
export const pushToMaster = () => githubExample('push', (p) => p.ref === 'refs/heads/master');
/** A push of a tag. */
export const pushOfTag = () => githubExample('push', (p) => String(p.ref).startsWith('refs/tags/'));
