import { CronPattern } from 'croner';
import { parseGoDuration } from '../../core/duration.ts';
import type { EventSource } from '../eventsource.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import { gitSourceProblems } from './git-sources.ts';
import { resourceProblems } from './resource.ts';
import {
  duplicateNames,
  durationProblem,
  entriesOf,
  isKnownTimeZone,
  isRecord,
  subjectTokenProblem,
} from './shared.ts';
import { sourceFilterProblemsAt } from './source-filter.ts';

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Source types whose events carry a `webhook` block of their own (Argo's git providers). */
const NESTED_WEBHOOK_TYPES = new Set(['github', 'gitlab', 'bitbucket', 'bitbucketserver', 'gitea']);
const NOT_TYPE_KEYS = new Set(['eventBusName', 'template', 'service', 'replicas']);

/** Checks an EventSource beyond its schema: names, endpoints, schedules, durations and filters. */
export function eventSourceSemantics(object: EventSource): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const push = (p: SemanticProblem | undefined) => p && problems.push(p);
  const spec = object.spec as Record<string, unknown>;

  push(subjectTokenProblem(['metadata', 'name'], object.metadata.name ?? '', 'EventSource name'));
  if (typeof spec.eventBusName === 'string') {
    push(subjectTokenProblem(['spec', 'eventBusName'], spec.eventBusName, 'EventBus name'));
  }

  const events: Array<{ name: string; path: FieldPath }> = [];
  const endpoints = new Map<string, FieldPath>();
  for (const [type, map] of Object.entries(spec)) {
    if (NOT_TYPE_KEYS.has(type)) continue;
    for (const [eventName, config] of entriesOf(map)) {
      const path: FieldPath = ['spec', type, eventName];
      events.push({ name: eventName, path });
      push(subjectTokenProblem(path, eventName, 'event name'));

      const webhook =
        type === 'webhook' ? config : NESTED_WEBHOOK_TYPES.has(type) ? config.webhook : undefined;
      const webhookPath = type === 'webhook' ? path : [...path, 'webhook'];
      if (isRecord(webhook)) problems.push(...webhookProblems(webhook, webhookPath, endpoints));
      if (type === 'calendar') problems.push(...calendarProblems(config, path));
      if (NESTED_WEBHOOK_TYPES.has(type)) problems.push(...gitSourceProblems(type, config, path));
      if (type === 'resource') problems.push(...resourceProblems(config, path));
      // The resource source's `filter` selects the objects to watch; every other type's is an expression.
      if (type !== 'resource') problems.push(...sourceFilterProblemsAt(config, path));
      if (isRecord(config.connectionBackoff)) {
        push(durationProblem([...path, 'connectionBackoff', 'duration'], config.connectionBackoff.duration));
      }
    }
  }
  problems.push(...duplicateNames(events, 'event name'));
  return problems;
}

function webhookProblems(
  webhook: Record<string, unknown>,
  path: FieldPath,
  seen: Map<string, FieldPath>,
): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const { port, endpoint, method } = webhook as { port?: string; endpoint?: string; method?: string };
  if (typeof port === 'string' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    problems.push({
      path: [...path, 'port'],
      message: `must be a string of digits between 1 and 65535, found "${port}"`,
    });
  }
  if (typeof endpoint === 'string' && !endpoint.startsWith('/')) {
    problems.push({ path: [...path, 'endpoint'], message: `must start with "/", found "${endpoint}"` });
  }
  if (typeof method === 'string' && !HTTP_METHODS.has(method.toUpperCase())) {
    problems.push({
      path: [...path, 'method'],
      message: `expected an HTTP method (${[...HTTP_METHODS].join(', ')}), found "${method}"`,
    });
  }
  if (typeof port === 'string' && typeof endpoint === 'string' && typeof method === 'string') {
    const key = `${port} ${method.toUpperCase()} ${endpoint}`;
    const earlier = seen.get(key);
    if (earlier) {
      problems.push({
        path: [...path, 'endpoint'],
        message: `${method.toUpperCase()} ${endpoint} on port ${port} is already used by ${earlier.join('.')}; each event needs its own endpoint`,
      });
    } else {
      seen.set(key, path);
    }
  }
  return problems;
}

function calendarProblems(config: Record<string, unknown>, path: FieldPath): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const { schedule, interval, timezone, recurrence } = config;
  if (!schedule && !interval) {
    problems.push({ path, message: 'a calendar event needs a schedule (cron) or an interval (Go duration)' });
  }
  if (typeof schedule === 'string' && schedule.trim() !== '') {
    try {
      // As the calendar source reads it: `?` means `*`, as in Argo Events' parser.
      new CronPattern(schedule.trim().replace(/\?/g, '*'));
    } catch (err) {
      problems.push({
        path: [...path, 'schedule'],
        message: `"${schedule}" is not a cron expression (${(err as Error).message.replace(/^CronPattern: /, '')}); expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first`,
      });
    }
  }
  if (interval !== undefined && !schedule) {
    const p = durationProblem([...path, 'interval'], interval);
    if (p) problems.push(p);
    else if (typeof interval === 'string' && !((parseGoDuration(interval) ?? 0) > 0)) {
      problems.push({ path: [...path, 'interval'], message: `must be longer than 0, found "${interval}"` });
    }
  }
  if (typeof timezone === 'string' && timezone !== '' && !isKnownTimeZone(timezone)) {
    problems.push({
      path: [...path, 'timezone'],
      message: `unknown time zone "${timezone}"; use an IANA name such as "Europe/Berlin"`,
    });
  }
  if (Array.isArray(recurrence) && recurrence.length > 0) {
    problems.push({
      path: [...path, 'recurrence'],
      message:
        'is not implemented (Argo Events declares it but never reads it); use schedule, interval and exclusionDates',
    });
  }
  return problems;
}
