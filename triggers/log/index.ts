import type { LogTrigger } from '../../crds/index.ts';
import type { Firing, TriggerContext, TriggerDriver, TriggerFactory } from '../types.ts';

/**
 * The `log` trigger: writes the firing and its events as one log line. With `intervalSeconds`, at
 * most one line per interval is written and the firings in between are counted in the next line.
 */
export const createLogTrigger: TriggerFactory = () => {
  let lastLogged = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  const driver: TriggerDriver<LogTrigger> = {
    async execute(spec: LogTrigger, firing: Firing, ctx: TriggerContext) {
      const intervalMs = (spec.intervalSeconds ?? 0) * 1000;
      const now = performance.now();
      if (intervalMs > 0 && now - lastLogged < intervalMs) {
        skipped++;
        return { status: 'succeeded', detail: { logged: false } };
      }
      lastLogged = now;
      const events = Object.fromEntries(
        Object.entries(firing.events).map(([dependency, e]) => [
          dependency,
          { id: e.id, source: e.source, subject: e.subject, type: e.type, time: e.time, data: e.data },
        ]),
      );
      // The context's logger already names the sensor, the trigger and the firing.
      ctx.logger.info({ events, skipped }, 'log trigger fired');
      skipped = 0;
      return { status: 'succeeded', detail: { logged: true } };
    },
  };
  return driver as TriggerDriver;
};
