import { ImpulseError } from '../core/errors.ts';
import {
  type CloudEvent,
  createCloudEvent,
  type DeadLetter,
  type DeadLetterEventRef,
  type EventBus,
  redriveSubject,
} from '../eventbus/index.ts';

/** The CloudEvent type of a redrive request. */
export const REDRIVE_TYPE = 'impulse.deadletter.redrive';

interface RedriveData {
  deadLetterId: string;
  firingId: string;
  events: Record<string, CloudEvent>;
  refs: Record<string, DeadLetterEventRef>;
}

/**
 * Sends a dead letter back to its trigger: publishes a redrive request to
 * `<bus>._redrive.<sensor>.<trigger>`, which the trigger executes as a firing with the letter's
 * events (so with the same firing id). The message id makes a second redrive of the same letter
 * within the duplicate window a no-op.
 */
export async function publishRedrive(bus: EventBus, letter: DeadLetter): Promise<void> {
  const data: RedriveData = {
    deadLetterId: letter.id,
    firingId: letter.firingId,
    events: letter.events,
    refs: letter.refs,
  };
  const event = createCloudEvent({
    id: `${letter.firingId}:redrive:${letter.id}`,
    source: 'impulse-dlq',
    type: REDRIVE_TYPE,
    subject: letter.trigger,
    data,
  });
  await bus.publish(redriveSubject(bus.name, letter.sensor, letter.trigger), event, {
    msgId: `impulse-dlq/${letter.namespace}/${letter.sensor}/${event.id}`,
  });
}

/** Reads a redrive request; events the letter did not copy are read back from the stream. */
export async function readRedrive(
  event: CloudEvent,
  bus: EventBus,
): Promise<{
  deadLetterId: string;
  events: Record<string, CloudEvent>;
  refs: Record<string, DeadLetterEventRef>;
}> {
  const data = event.data as Partial<RedriveData> | null;
  if (event.type !== REDRIVE_TYPE || !data || typeof data !== 'object' || !data.refs) {
    throw new ImpulseError('INVALID_INPUT', `not a redrive request (type ${event.type})`);
  }
  const events: Record<string, CloudEvent> = { ...data.events };
  for (const [dependency, ref] of Object.entries(data.refs)) {
    if (events[dependency]) continue;
    const stored = await bus.getEvent(ref.seq);
    if (stored?.id !== ref.id) {
      throw new ImpulseError(
        'NOT_FOUND',
        `event ${ref.id} of dependency ${dependency} is no longer in the stream`,
      );
    }
    events[dependency] = stored;
  }
  if (Object.keys(events).length === 0)
    throw new ImpulseError('INVALID_INPUT', 'the redrive request holds no events');
  return { deadLetterId: String(data.deadLetterId), events, refs: data.refs };
}
