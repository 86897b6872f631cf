import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per service instance, so several services (or tests) can share a process. */
export function createIntakeMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'intake_' });
  return {
    registry,
    requests: new Counter({ name: 'intake_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] }),
    latency: new Histogram({
      name: 'intake_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    accepted: new Counter({ name: 'intake_events_accepted_total', help: 'Events stored in Kafka, by type', labelNames: ['type'] as const, registers: [registry] }),
    replays: new Counter({ name: 'intake_idempotent_replays_total', help: 'Repeats answered from the idempotency record', registers: [registry] }),
    rejected: new Counter({ name: 'intake_events_rejected_total', help: 'Events refused, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    publishFailures: new Counter({ name: 'intake_publish_failures_total', help: 'Publishes to Kafka that failed or timed out', registers: [registry] }),
  };
}
export type IntakeMetrics = ReturnType<typeof createIntakeMetrics>;
