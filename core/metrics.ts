import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics with Argo Events' names and labels, so existing dashboards keep working.
 * One instance per process; tests create their own.
 */
export class Metrics {
  readonly registry = new Registry();

  /** Events an EventSource published to the bus. Labels: eventsource_name, event_name. */
  readonly eventsSent = new Counter({
    name: 'argo_events_events_sent_total',
    help: 'Events published to the EventBus',
    labelNames: ['eventsource_name', 'event_name'] as const,
    registers: [this.registry],
  });

  /** Events an EventSource could not publish. */
  readonly eventsSentFailed = new Counter({
    name: 'argo_events_events_sent_failed_total',
    help: 'Events that could not be published to the EventBus',
    labelNames: ['eventsource_name', 'event_name'] as const,
    registers: [this.registry],
  });

  /** Events that failed before publishing (bad input, filter errors). */
  readonly eventsProcessingFailed = new Counter({
    name: 'argo_events_events_processing_failed_total',
    help: 'Events that failed to be processed before publishing',
    labelNames: ['eventsource_name', 'event_name'] as const,
    registers: [this.registry],
  });

  readonly eventProcessingDuration = new Histogram({
    name: 'argo_events_event_processing_duration_milliseconds',
    help: 'Time from receiving an event to the bus acknowledging it, in milliseconds',
    labelNames: ['eventsource_name', 'event_name'] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
    registers: [this.registry],
  });

  /** Trigger executions that succeeded. Labels: sensor_name, trigger_name. */
  readonly actionTriggered = new Counter({
    name: 'argo_events_action_triggered_total',
    help: 'Triggers executed successfully',
    labelNames: ['sensor_name', 'trigger_name'] as const,
    registers: [this.registry],
  });

  /** Trigger attempts that failed. */
  readonly actionFailed = new Counter({
    name: 'argo_events_action_failed_total',
    help: 'Trigger attempts that failed',
    labelNames: ['sensor_name', 'trigger_name'] as const,
    registers: [this.registry],
  });

  /** Trigger executions that failed after all retries. */
  readonly actionRetriesFailed = new Counter({
    name: 'argo_events_action_retries_failed_total',
    help: 'Triggers that still failed after all their retries',
    labelNames: ['sensor_name', 'trigger_name'] as const,
    registers: [this.registry],
  });

  readonly actionDuration = new Histogram({
    name: 'argo_events_action_duration_milliseconds',
    help: 'Time a trigger execution took, in milliseconds',
    labelNames: ['sensor_name', 'trigger_name'] as const,
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 30000],
    registers: [this.registry],
  });
}
