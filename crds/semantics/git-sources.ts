import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import { GITLAB_EVENT_NAMES, GITLAB_EVENTS } from '../sources/gitlab.ts';
import { durationProblem, isRecord } from './shared.ts';

const has = (value: unknown) => value !== undefined && value !== null && value !== '';
const nonEmpty = (value: unknown) => Array.isArray(value) && value.length > 0;

/**
 * Checks of the Git provider sources beyond their schemas: what hook management needs (caught at
 * validation, not when the first hook call fails), GitLab's event kinds, and durations.
 */
export function gitSourceProblems(
  type: string,
  config: Record<string, unknown>,
  path: FieldPath,
): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const webhook = isRecord(config.webhook) ? config.webhook : {};
  const managed = (credentials: boolean) => credentials && has(webhook.url);

  if (type === 'github') {
    if (has(config.githubBaseURL) !== has(config.githubUploadURL)) {
      const missing = has(config.githubBaseURL) ? 'githubUploadURL' : 'githubBaseURL';
      problems.push({
        path: [...path, missing],
        message:
          'githubBaseURL and githubUploadURL go together (as in Argo Events), so no call goes to github.com by mistake',
      });
    }
    if (managed(has(config.apiToken) || has(config.githubApp))) {
      if (!nonEmpty(config.events)) {
        problems.push({
          path: [...path, 'events'],
          message: 'list the events the hooks deliver (e.g. ["push"] or ["*"])',
        });
      }
      const repositories = nonEmpty(config.repositories) || (has(config.owner) && has(config.repository));
      if (!repositories && !nonEmpty(config.organizations)) {
        problems.push({
          path: [...path, 'repositories'],
          message: 'hooks need repositories (or owner and repository) or organizations to be created on',
        });
      }
    }
  }

  if (type === 'gitlab' && Array.isArray(config.events)) {
    for (const [i, event] of config.events.entries()) {
      if (typeof event === 'string' && !GITLAB_EVENTS[event]) {
        problems.push({
          path: [...path, 'events', i],
          message: `unknown GitLab event "${event}"; expected one of ${GITLAB_EVENT_NAMES.join(', ')}`,
        });
      }
    }
  }

  if (type === 'bitbucketserver') {
    const p = durationProblem([...path, 'checkInterval'], config.checkInterval);
    if (p) problems.push(p);
    if (config.skipBranchRefsChangedOnOpenPR === true && !has(config.accessToken)) {
      problems.push({
        path: [...path, 'skipBranchRefsChangedOnOpenPR'],
        message: "needs accessToken, to ask Bitbucket Server for a commit's pull requests",
      });
    }
  }

  if (type === 'gitea' && managed(has(config.apiToken)) && !has(config.giteaBaseURL)) {
    problems.push({
      path: [...path, 'giteaBaseURL'],
      message: 'hooks are created with apiToken and webhook.url, on the Gitea server at giteaBaseURL; set it',
    });
  }
  return problems;
}
