import { randomUUID } from 'node:crypto';
import { parseEvent, type GatewayEvent } from '@gateway/contracts';
import { ownsSource, type Principal } from '@gateway/common';
import { withholdingClassifiedContent } from '../domain/classified';
import { fingerprint, type IdempotencyStore, type StoredAnswer } from '../domain/idempotency';

/** Port: stores one event durably (for us: acknowledged by every in-sync Kafka replica). */
export interface EventSink {
  publish(event: GatewayEvent, meta: PublishMeta): Promise<void>;
}

export interface PublishMeta {
  /** The event as JSON: the record's value, serialized once for the fingerprint and the store. */
  json: string;
  keyName: string;
  /** The event's `source`, checked to be one the key owns: the sender every derived id is scoped by. */
  sender: string;
  correlationId: string;
  receivedAt: string;
}

export interface FieldIssue {
  path: string;
  message: string;
}

export type AcceptOutcome =
  | { kind: 'accepted'; status: 202; body: StoredAnswer['body']; replayed: boolean; eventId: string }
  | { kind: 'invalid'; status: 400; issues: FieldIssue[] }
  | { kind: 'unknown-type'; status: 422; issues: FieldIssue[] }
  | { kind: 'foreign-source'; status: 403; keyName: string; source: string; owned: string[] }
  | { kind: 'conflict'; status: 409; eventId: string }
  | { kind: 'unavailable'; status: 503; retryAfterSeconds: number; reason: string; eventId?: string };

export interface AcceptorDeps {
  sink: EventSink;
  idempotency: IdempotencyStore;
  /** How long a request waits for the broker's acknowledgement before answering 503. */
  publishTimeoutMs: number;
  /** How long a duplicate waits for the first request with the same key to finish. */
  duplicateWaitMs?: number;
  newId?: () => string;
  now?: () => Date;
  onPublishSettled?: (eventId: string, err: unknown) => void;
}

/** The partition key keeps one meeting's (or one document's) events in order. */
export function partitionKeyOf(event: GatewayEvent): string {
  return 'meetingId' in event.data ? event.data.meetingId : event.data.documentId;
}

/**
 * Validates an event, deduplicates it by its id (or Idempotency-Key), stores it, and says what to
 * answer. It never answers "accepted" for an event that was not acknowledged by the store.
 */
export function createEventAcceptor(deps: AcceptorDeps) {
  const newId = deps.newId ?? randomUUID;
  const now = deps.now ?? (() => new Date());
  const duplicateWaitMs = deps.duplicateWaitMs ?? deps.publishTimeoutMs;
  const sink = withholdingClassifiedContent<PublishMeta, EventSink>(deps.sink);

  function unavailable(reason: string, eventId?: string): AcceptOutcome {
    return { kind: 'unavailable', status: 503, retryAfterSeconds: 2, reason, eventId };
  }

  /** Publishes; the returned promise follows the broker even past our timeout. */
  function store(event: GatewayEvent, json: string, principal: Principal, correlationId: string): { answer: StoredAnswer; stored: Promise<void> } {
    const receivedAt = now().toISOString();
    const stored = sink.publish(event, { json, keyName: principal.name, sender: event.source, correlationId, receivedAt });
    const answer: StoredAnswer = { status: 202, body: { id: event.id, type: event.type, status: 'accepted', receivedAt } };
    return { answer, stored };
  }

  async function awaitStored(stored: Promise<void>): Promise<'ok' | 'timeout' | Error> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deps.publishTimeoutMs);
    });
    try {
      return await Promise.race([stored.then(() => 'ok' as const), timeout]);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  return async function accept(body: unknown, ctx: { principal: Principal; idempotencyKey?: string; correlationId?: string }): Promise<AcceptOutcome> {
    const parsed = parseEvent(body);
    if (!parsed.ok) {
      return parsed.kind === 'unknown-type'
        ? { kind: 'unknown-type', status: 422, issues: parsed.issues }
        : { kind: 'invalid', status: 400, issues: parsed.issues };
    }
    const event = parsed.event;
    // Before the idempotency store: an event a key may not send never takes an id of its sender.
    if (!ownsSource(ctx.principal, event.source)) {
      return { kind: 'foreign-source', status: 403, keyName: ctx.principal.name, source: event.source, owned: [...(ctx.principal.sources ?? [])] };
    }
    const dedupKey = ctx.idempotencyKey ?? event.id;
    const assigned: GatewayEvent = event.id ? event : { ...event, id: newId() };
    const eventId = assigned.id as string;
    const json = JSON.stringify(assigned);
    const correlationId = ctx.correlationId ?? eventId;

    if (!dedupKey) {
      const { answer, stored } = store(assigned, json, ctx.principal, correlationId);
      const result = await awaitStored(stored);
      stored.then(
        () => deps.onPublishSettled?.(eventId, undefined),
        (err: unknown) => deps.onPublishSettled?.(eventId, err),
      );
      if (result !== 'ok') return unavailable(describe(result), eventId);
      return { kind: 'accepted', status: 202, body: answer.body, replayed: false, eventId };
    }

    // An id we assigned is not part of what the client sent twice.
    const fp = fingerprint(event, assigned === event ? json : undefined);
    const scope = ctx.principal.name;
    const deadline = Date.now() + duplicateWaitMs;
    for (let attempt = 0; ; attempt++) {
      let begun;
      try {
        begun = await deps.idempotency.begin(scope, dedupKey, fp);
      } catch {
        return unavailable('the idempotency store (Redis) is unreachable', eventId);
      }
      if (begun.state === 'conflict') return { kind: 'conflict', status: 409, eventId: dedupKey };
      if (begun.state === 'done') {
        const replayId = typeof begun.answer.body.id === 'string' ? begun.answer.body.id : eventId;
        return { kind: 'accepted', status: 202, body: begun.answer.body, replayed: true, eventId: replayId };
      }
      if (begun.state === 'pending') {
        if (Date.now() >= deadline) return unavailable('a request with the same id is still being stored; retry shortly', eventId);
        await new Promise((r) => setTimeout(r, Math.min(50, 5 * (attempt + 1))));
        continue;
      }
      const { answer, stored } = store(assigned, json, ctx.principal, correlationId);
      // The record follows what the broker finally did, even after we answered 503: a stored
      // event is never published twice, a refused one can be retried. A failed write to Redis
      // only leaves the claim pending until it expires.
      const settled = stored.then(
        () => {
          deps.onPublishSettled?.(eventId, undefined);
          return deps.idempotency.complete(scope, dedupKey, fp, answer).catch(() => undefined);
        },
        (err: unknown) => {
          deps.onPublishSettled?.(eventId, err);
          return deps.idempotency.abandon(scope, dedupKey, fp).catch(() => undefined);
        },
      );
      const result = await awaitStored(stored);
      if (result !== 'ok') return unavailable(describe(result), eventId);
      await settled;
      return { kind: 'accepted', status: 202, body: answer.body, replayed: false, eventId };
    }
  };
}

function describe(result: 'timeout' | Error): string {
  return result === 'timeout' ? 'the event store (Kafka) did not acknowledge in time' : `the event store (Kafka) refused the event: ${result.message}`;
}

export type EventAcceptor = ReturnType<typeof createEventAcceptor>;
