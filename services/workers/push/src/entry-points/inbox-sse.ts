import type { Response } from 'express';
import type { Logger } from '@gateway/common';
import { compareItemIds, type InboxEntry, type InboxListener, type InboxStore } from '../data-access/inbox-store';

export interface InboxStreamOptions {
  store: InboxStore;
  userId: string;
  /** From the Last-Event-ID header of a reconnecting EventSource: send what came after it. */
  lastEventId?: string;
  heartbeatMs: number;
  logger: Logger;
  /** A client this far behind is cut off; it reconnects with Last-Event-ID and catches up. */
  maxBufferedBytes?: number;
  /** Advice to the browser on how soon to reconnect. */
  retryMs?: number;
}

const CATCH_UP_PAGE = 200;

/**
 * An empty inbox starts from the beginning. An id beyond the newest stored one (the inbox
 * expired, or Redis was restored from an older copy) would hide every new item, so such a
 * client starts from what is there.
 */
function startingPoint(asked: string | undefined, latest: string | undefined): string {
  if (latest === undefined) return '0-0';
  if (asked === undefined) return latest;
  return compareItemIds(asked, latest) <= 0 ? asked : latest;
}

/**
 * One server-sent events connection for one user's inbox, with no gaps and no duplicates:
 *   1. fix the starting point: the client's Last-Event-ID, or else the newest stored item
 *      (anything stored after connecting is sent);
 *   2. subscribe to the user's announcements, holding them back;
 *   3. send what is stored after the starting point, page by page;
 *   4. send the held-back announcements, then go live.
 * Every item goes out once, in id order, because nothing with an id at or below the last one
 * sent is written. A Redis reconnect (announcements may have been missed) repeats 3 and 4.
 * Throws before anything is written when the store does not answer, so the caller can send 503.
 */
export async function serveInboxStream(res: Response, options: InboxStreamOptions): Promise<void> {
  const { store, userId, logger } = options;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  let ended = false;
  let streaming = false;
  const cleanup: Array<() => void> = [];
  let lastSent = '0-0';
  let buffering = true;
  let running = false;
  let again = false;
  const held: InboxEntry[] = [];

  // Safe to repeat: each clean-up step runs once, including ones added after the client left.
  const finish = (): void => {
    ended = true;
    for (const step of cleanup.splice(0)) step();
    held.length = 0;
  };
  res.on('close', finish);

  const write = (chunk: string): void => {
    if (ended || !streaming) return;
    res.write(chunk);
    if (res.writableLength > maxBuffered) {
      logger.info({ userId, buffered: res.writableLength }, 'inbox stream client too slow; closing it so it resumes from Last-Event-ID');
      res.end();
      finish();
    }
  };

  const sendItem = (entry: InboxEntry): void => {
    if (compareItemIds(entry.id, lastSent) <= 0) return;
    lastSent = entry.id;
    write(`id: ${entry.id}\ndata: ${JSON.stringify(entry)}\n\n`);
  };

  const catchUp = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    buffering = true;
    try {
      do {
        again = false;
        for (;;) {
          if (ended) return;
          const page = await store.after(userId, lastSent, CATCH_UP_PAGE);
          for (const entry of page) sendItem(entry);
          if (page.length < CATCH_UP_PAGE) break;
        }
      } while (again);
      held.sort((a, b) => compareItemIds(a.id, b.id));
      for (const entry of held.splice(0)) sendItem(entry);
      buffering = false;
    } catch (err) {
      logger.warn({ userId, err: err instanceof Error ? err.message : String(err) }, 'inbox stream catch-up failed; closing it so the client resumes');
      res.end();
      finish();
    } finally {
      running = false;
    }
  };

  const listener: InboxListener = {
    item(entry) {
      if (buffering) held.push(entry);
      else sendItem(entry);
    },
    read(ids) {
      // No id: a read notice must not move the client's Last-Event-ID.
      write(`event: read\ndata: ${JSON.stringify({ ids })}\n\n`);
    },
    resync() {
      void catchUp();
    },
  };

  lastSent = startingPoint(options.lastEventId, await store.latestId(userId));
  cleanup.push(await store.subscribe(userId, listener));
  if (ended) {
    finish();
    return;
  }

  res.status(200);
  res.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // Reverse proxies (nginx) must pass events through as they come.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  streaming = true;
  write(`retry: ${options.retryMs ?? 3000}\n\n`);
  const heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);
  cleanup.push(() => clearInterval(heartbeat));
  await catchUp();
}
