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

  /**
   * Events a source without acknowledgements (Redis pub/sub, core NATS, MQTT QoS 0) received while
   * the bus could not take them, so they are gone. An Impulse metric; Argo Events has none.
   */
  readonly eventsDropped = new Counter({
    name: 'impulse_eventsource_events_dropped_total',
    help: 'Events received from a source without acknowledgements that the EventBus could not take',
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

  /** Firings that went to the dead-letter stream (Impulse's own metric). */
  readonly actionDeadLettered = new Counter({
    name: 'impulse_action_deadlettered_total',
    help: 'Trigger firings sent to the dead-letter stream',
    labelNames: ['sensor_name', 'trigger_name'] as const,
    registers: [this.registry],
  });

  /** Firings that reported themselves superseded by a later one (Impulse's own metric). */
  readonly actionSuperseded = new Counter({
    name: 'impulse_action_superseded_total',
    help: 'Trigger firings covered by a later firing',
    labelNames: ['sensor_name', 'trigger_name'] as const,
    registers: [this.registry],
  });

  /**
   * Held events replaced by a newer event of the same dependency before their trigger fired (Argo
   * Events keeps the latest per dependency). Impulse's own metric.
   */
  readonly eventsReplaced = new Counter({
    name: 'impulse_sensor_events_replaced_total',
    help: 'Held events replaced by a newer event of the same dependency before their trigger fired',
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
