import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  /** performance.now() when the blank line ending the event arrived. */
  at: number;
}

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  comments: string[];
  /** Resolves once `count` events (of `type`, default "message") have arrived. */
  waitForEvents(count: number, options?: { type?: string; timeoutMs?: number }): Promise<SseEvent[]>;
  waitForComment(timeoutMs?: number): Promise<string>;
  close(): void;
}

/**
 * A server-sent events client over plain http.get, parsing the stream as the EventSource spec
 * does (field lines, blank line ends an event, ":" starts a comment). Resolves on the response
 * headers; a non-stream answer keeps its body in `body`.
 */
export function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient & { body: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const wakers = new Set<() => void>();
      const wake = () => wakers.forEach((w) => w());
      let buffer = '';
      let current: { id?: string; event?: string; data: string[] } = { data: [] };
      let raw = '';
      const isStream = (res.headers['content-type'] ?? '').startsWith('text/event-stream');

      res.on('data', (chunk: string) => {
        if (!isStream) {
          raw += chunk;
          return;
        }
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (current.data.length > 0) {
              events.push({ ...(current.id !== undefined ? { id: current.id } : {}), event: current.event ?? 'message', data: current.data.join('\n'), at: performance.now() });
            }
            current = { data: [] };
            wake();
            continue;
          }
          if (line.startsWith(':')) {
            comments.push(line.slice(1).trim());
            wake();
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') current.id = value;
          else if (field === 'event') current.event = value;
          else if (field === 'data') current.data.push(value);
        }
      });
      const body = new Promise<string>((done) => res.on('end', () => done(raw)));
      res.on('error', () => undefined);

      const until = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
        new Promise((ok, fail) => {
          const found = check();
          if (found !== undefined) {
            ok(found);
            return;
          }
          const timer = setTimeout(() => {
            wakers.delete(waker);
            fail(new Error(`SSE: ${what} not received within ${timeoutMs} ms (got ${events.length} events)`));
          }, timeoutMs);
          const waker = () => {
            const value = check();
            if (value === undefined) return;
            clearTimeout(timer);
            wakers.delete(waker);
            ok(value);
          };
          wakers.add(waker);
        });

      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        body,
        waitForEvents(count, options = {}) {
          const type = options.type ?? 'message';
          return until(
            () => {
              const matching = events.filter((e) => e.event === type);
              return matching.length >= count ? matching : undefined;
            },
            options.timeoutMs ?? 5000,
            `${count} "${type}" events`,
          );
        },
        waitForComment(timeoutMs = 5000) {
          return until(() => comments[comments.length - 1], timeoutMs, 'a comment');
        },
        close() {
          req.destroy();
        },
      });
    });
    req.on('error', reject);
  });
}
