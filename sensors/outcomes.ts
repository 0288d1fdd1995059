import type { Logger } from '../core/logger.ts';
import { createCloudEvent, type EventBus, outcomeSubject } from '../eventbus/index.ts';
import type { Firing } from '../triggers/index.ts';

/** The outcome event types of a trigger (ARCHITECTURE.md, "The EventBus"). */
export const OUTCOME = {
  fired: 'impulse.trigger.fired',
  failed: 'impulse.trigger.failed',
  deadlettered: 'impulse.trigger.deadlettered',
} as const;

/**
 * Publishes a trigger's outcome CloudEvents to `<bus>._outcomes.<sensor>.<trigger>`: `source` is the
 * sensor, `subject` the trigger, `id` is `<firingId>:<type>[:<wave>]` (also the message id, so a
 * repeated outcome is stored once), and `data` starts with `{firingId, eventIds, attempt}`.
 * An outcome that cannot be published is logged; it never fails the firing.
 */
export class OutcomeEmitter {
  private readonly subject: string;

  constructor(
    private readonly bus: EventBus,
    private readonly sensor: string,
    private readonly trigger: string,
    private readonly logger: Logger,
  ) {
    this.subject = outcomeSubject(bus.name, sensor, trigger);
  }

  async emit(firing: Firing, type: string, data: Record<string, unknown>): Promise<void> {
    const wave = data.wave;
    const id = `${firing.id}:${type}${wave === undefined ? '' : `:${String(wave)}`}`;
    const eventIds = Object.fromEntries(Object.entries(firing.events).map(([dep, e]) => [dep, e.id]));
    const event = createCloudEvent({
      id,
      source: this.sensor,
      type,
      subject: this.trigger,
      data: { firingId: firing.id, eventIds, ...data },
    });
    try {
      await this.bus.publish(this.subject, event, { msgId: `${this.sensor}/${this.trigger}/${id}` });
    } catch (err) {
      this.logger.warn({ firingId: firing.id, type, err }, 'could not publish an outcome event');
    }
  }
}
