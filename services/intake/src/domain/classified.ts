import { isClassified, WITHHELD_WHEN_CLASSIFIED, type GatewayEvent } from '@gateway/contracts';

/**
 * A classified document (mật and above) is stored without what no channel may carry: its notice
 * shows only the number, the secrecy and urgency marks and the link (the renderer's
 * SecretDocumentView), so the summary, the issuing body, the dates, the handlers and a recall's
 * reason would only sit on the brokers' disks for the topic's retention. The same object comes
 * back when there is nothing to remove.
 */
export function withoutClassifiedContent(event: GatewayEvent): GatewayEvent {
  if (event.type !== 'document.dispatched' && event.type !== 'document.recalled') return event;
  if (!isClassified(event.data.secrecy)) return event;
  const data: Record<string, unknown> = { ...event.data };
  let removed = false;
  for (const field of WITHHELD_WHEN_CLASSIFIED) {
    if (data[field] === undefined) continue;
    delete data[field];
    removed = true;
  }
  return removed ? ({ ...event, data } as GatewayEvent) : event;
}

interface Publisher<M extends { json: string }> {
  publish(event: GatewayEvent, meta: M): Promise<void>;
}

/**
 * Wraps the event store so every path that publishes withholds classified content. The caller
 * keeps fingerprinting the event as the client sent it, so a retry with a different summary is
 * still a conflict (409) and the same retry is still a replay.
 */
export function withholdingClassifiedContent<M extends { json: string }, S extends Publisher<M>>(sink: S): Publisher<M> {
  return {
    publish(event, meta) {
      const stored = withoutClassifiedContent(event);
      return stored === event ? sink.publish(event, meta) : sink.publish(stored, { ...meta, json: JSON.stringify(stored) });
    },
  };
}
