import type { FiringExplanation, SensorExplanation } from '../../sensors/explain.ts';
import type { TriggerPreview } from '../../triggers/index.ts';

/** Where a filter's reason starts with its place in the Sensor, the dependency is already named. */
const DEPENDENCY_PREFIX = /^spec\.dependencies\[\d+\]\./;

/**
 * The text form of `impulse test-sensor`: for each event, each listening dependency with its
 * verdict and every filter's verdict and reason, then the triggers it fires, each resolved as it
 * would run; last, how many times each trigger fired and what it still holds.
 */
export function renderExplanation(explanation: SensorExplanation): string {
  const lines: string[] = [];
  const out = (indent: number, text: string) => {
    for (const line of text.split('\n')) lines.push(`${'  '.repeat(indent)}${line}`);
  };
  out(0, `Sensor ${explanation.sensor}`);
  explanation.events.forEach((entry, i) => {
    const e = entry.event;
    out(0, '');
    out(0, `event ${i + 1}: ${entry.label}`);
    out(1, `id ${e.id}, ${e.source}/${e.subject} (type ${e.type}), time ${e.time}`);
    if (entry.dependencies.length === 0) {
      out(1, `no dependency listens to EventSource ${e.source}, event ${e.subject}`);
    }
    for (const dependency of entry.dependencies) {
      const any =
        dependency.operator === 'or' && dependency.filters.length > 1
          ? ' (or: one filter kind is enough)'
          : '';
      out(1, `dependency ${dependency.name}: ${dependency.pass ? 'passes' : 'does not pass'}${any}`);
      if (dependency.filters.length === 0) out(2, 'no filters');
      for (const check of dependency.filters) {
        out(2, `[${check.pass ? 'pass' : 'fail'}] ${check.reason.replace(DEPENDENCY_PREFIX, '')}`);
      }
    }
    for (const firing of entry.fired) renderFiring(firing, out);
    for (const note of entry.notes) out(1, `note: ${note}`);
  });
  out(0, '');
  out(0, 'triggers');
  for (const t of explanation.triggers) {
    const times = t.fired === 1 ? '1 time' : `${t.fired} times`;
    const held = t.held.map(
      (h) => `${h.dependency} (${h.event}${h.key === undefined ? '' : `, key ${h.key}`})`,
    );
    const state = held.length > 0 ? `; holds ${held.join(', ')}` : '';
    out(1, `${t.trigger}: fired ${times}${state}`);
  }
  return `${lines.join('\n')}\n`;
}

function renderFiring(firing: FiringExplanation, out: (indent: number, text: string) => void): void {
  const used = Object.entries(firing.events)
    .map(([dep, id]) => `${dep}=${id}`)
    .join(', ');
  const key = firing.key === undefined ? '' : `, key ${firing.key}`;
  out(1, `fires trigger ${firing.trigger} (firing ${firing.firingId}, events ${used}${key})`);
  if (firing.error) {
    out(2, `cannot be resolved: ${firing.error}`);
    return;
  }
  if (firing.preview) renderPreview(firing.preview, out);
}

function renderPreview(preview: TriggerPreview, out: (indent: number, text: string) => void): void {
  if (preview.note) out(2, `note: ${preview.note}`);
  if (preview.request) {
    const r = preview.request;
    out(2, `${r.method} ${r.url} (timeout ${r.timeoutSeconds} s)`);
    for (const [name, value] of Object.entries(r.headers)) out(3, `${name}: ${value}`);
    if (r.body !== undefined)
      out(3, `body: ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 2)}`);
    return;
  }
  if (preview.resource !== undefined) {
    out(2, `${preview.type} ${preview.operation}:`);
    out(3, JSON.stringify(preview.resource, null, 2));
    return;
  }
  if (preview.message) {
    out(2, `nats publish on ${preview.message.subject}`);
    if (preview.message.payload !== undefined)
      out(3, `payload: ${JSON.stringify(preview.message.payload, null, 2)}`);
    return;
  }
  const { name: _name, conditions: _conditions, ...rest } = preview.template as Record<string, unknown>;
  out(2, `${preview.type}: ${JSON.stringify(preview.block ?? rest[preview.type] ?? {})}`);
}
