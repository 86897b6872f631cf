import { randomUUID } from 'node:crypto';
import { CALLBACK_DELIVERY_HEADER, CALLBACK_SIGNATURE_HEADER, callbackBatchSize, type AttendanceAnswerItem, type CallbackBatch, type DeadLetter, type NotificationStatusItem, type Topics } from '@gateway/contracts';
import type { CallbackTarget, Logger } from '@gateway/common';
import { backoffMs, outcomeOfAnswer, signCallback, type AttemptOutcome, type BackoffPolicy } from '../domain/callbacks';
import type { CallbackStore, DeadCallback } from '../data-access/callback-store';
import type { Publisher } from './publisher';

/** Port: one HTTP POST; rejects when there is no answer (timeout, refused, reset) or `signal` aborts it. */
export interface CallbackPoster {
  post(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; signal: AbortSignal }): Promise<{ status: number; retryAfter: string | null }>;
}

export interface CallbackDispatchOptions {
  /** Items per POST. */
  batchMax: number;
  /** How long the first item of a batch waits for others to the same endpoint. */
  lingerMs: number;
  /** POSTs in flight per endpoint. */
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Plain http callback URLs (loopback receivers in tests); https only otherwise. */
  allowHttp: boolean;
}

export interface CallbackDispatcherDeps {
  poster: CallbackPoster;
  store: CallbackStore;
  publisher: Publisher;
  topics: Pick<Topics, 'status' | 'attendance' | 'deadLetter'>;
  logger: Logger;
  options: CallbackDispatchOptions;
  service?: string;
}

interface Waiting<T> {
  item: T;
  settled: { resolve: () => void; reject: (err: Error) => void };
}

/** One endpoint's queue of one kind of item: items wait at most `lingerMs` for a batch, at most `concurrency` POSTs at once. */
interface Endpoint<T> {
  target: CallbackTarget;
  /** The batch body around some items (without id and time). */
  toBatch: (items: T[]) => CallbackBatch;
  waiting: Array<Waiting<T>>;
  ready: Array<Array<Waiting<T>>>;
  active: number;
  timer?: NodeJS.Timeout;
}

class Stopping extends Error {}

/**
 * Posts status items and attendance answers (each kind its own batches) to the callbacks of the keys, batched per endpoint, signed, retried with
 * backoff and dead-lettered after the last attempt. `enqueue` resolves once its items are
 * delivered or dead-lettered, so the consumer commits only what is settled (at least once: a
 * receiver deduplicates by the batch id, or by messageId + status).
 */
export class CallbackDispatcher {
  private readonly statusEndpoints = new Map<string, Endpoint<NotificationStatusItem>>();
  private readonly answerEndpoints = new Map<string, Endpoint<AttendanceAnswerItem>>();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private stopping = false;
  /** Aborts the POSTs in flight at stop: a hanging receiver does not hold the shutdown. */
  private readonly stopped = new AbortController();

  constructor(private readonly deps: CallbackDispatcherDeps) {}

  enqueue(target: CallbackTarget, items: readonly NotificationStatusItem[]): Promise<void> {
    return this.queue(this.statusEndpoints, target, items, (events) => ({ ...this.batchHead(target), type: 'notification.status', events }));
  }

  /** Attendance answers of the key's sources, in `attendance.answered` batches. */
  enqueueAnswers(target: CallbackTarget, answers: readonly AttendanceAnswerItem[]): Promise<void> {
    return this.queue(this.answerEndpoints, target, answers, (items) => ({ ...this.batchHead(target), type: 'attendance.answered', answers: items }));
  }

  private batchHead(target: CallbackTarget): { version: 1; id: string; key: string; sentAt: string } {
    return { version: 1, id: `cb-${randomUUID()}`, key: target.key, sentAt: new Date().toISOString() };
  }

  private queue<T>(endpoints: Map<string, Endpoint<T>>, target: CallbackTarget, items: readonly T[], toBatch: (items: T[]) => CallbackBatch): Promise<void> {
    if (this.stopping) return Promise.reject(new Stopping('the callback dispatcher is stopping'));
    const id = `${target.key}\u0000${target.url}\u0000${target.secret}`;
    let endpoint = endpoints.get(id);
    if (!endpoint) {
      endpoint = { target, toBatch, waiting: [], ready: [], active: 0 };
      endpoints.set(id, endpoint);
    }
    const queued = endpoint;
    const settled = items.map(
      (item) =>
        new Promise<void>((resolve, reject) => {
          queued.waiting.push({ item, settled: { resolve, reject } });
        }),
    );
    while (queued.waiting.length >= this.deps.options.batchMax) queued.ready.push(queued.waiting.splice(0, this.deps.options.batchMax));
    if (queued.waiting.length > 0 && !queued.timer) {
      queued.timer = setTimeout(() => {
        queued.timer = undefined;
        if (queued.waiting.length > 0) queued.ready.push(queued.waiting.splice(0, queued.waiting.length));
        this.pump(queued);
      }, this.deps.options.lingerMs);
    }
    this.pump(queued);
    return Promise.all(settled).then(() => undefined);
  }

  private pump<T>(endpoint: Endpoint<T>): void {
    while (endpoint.active < this.deps.options.concurrency && endpoint.ready.length > 0) {
      const waiting = endpoint.ready.shift() ?? [];
      endpoint.active += 1;
      const batch = endpoint.toBatch(waiting.map((w) => w.item));
      this.deliver(endpoint.target, batch)
        .then(
          () => waiting.forEach((w) => w.settled.resolve()),
          (err: unknown) => waiting.forEach((w) => w.settled.reject(err instanceof Error ? err : new Error(String(err)))),
        )
        .finally(() => {
          endpoint.active -= 1;
          this.pump(endpoint);
        });
    }
  }

  /** One POST of the batch, signed now; never throws. */
  async attempt(target: CallbackTarget, batch: CallbackBatch): Promise<AttemptOutcome> {
    if (new URL(target.url).protocol !== 'https:' && !this.deps.options.allowHttp) return { kind: 'give up', reason: 'the callback URL is not https (CALLBACK_ALLOW_HTTP is off)' };
    const body = JSON.stringify({ ...batch, sentAt: new Date().toISOString() });
    const headers = { [CALLBACK_SIGNATURE_HEADER]: signCallback(target.secret, body, Date.now() / 1000), [CALLBACK_DELIVERY_HEADER]: batch.id };
    try {
      const answer = await this.deps.poster.post(target.url, body, headers, { timeoutMs: this.deps.options.timeoutMs, signal: this.stopped.signal });
      return outcomeOfAnswer(answer.status, answer.retryAfter);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
      return { kind: 'retry', reason: e.name === 'TimeoutError' ? `no answer within ${this.deps.options.timeoutMs} ms` : `no answer (${e.message}${cause})` };
    }
  }

  private async deliver(target: CallbackTarget, batch: CallbackBatch): Promise<void> {
    const { maxAttempts, backoff } = this.deps.options;
    let attempts = 0;
    let last: AttemptOutcome = { kind: 'give up', reason: 'not attempted' };
    while (attempts < maxAttempts) {
      if (this.stopping) throw new Stopping('the callback dispatcher is stopping');
      attempts += 1;
      last = await this.attempt(target, batch);
      if (last.kind === 'delivered') return;
      // An answer lost to the stop is not the receiver's failure: the next run sends it again.
      if (this.stopping) throw new Stopping('the callback dispatcher is stopping');
      if (last.kind === 'give up' || attempts >= maxAttempts) break;
      await this.sleep(backoffMs(attempts, backoff, last.retryAfterMs));
    }
    const reason = `${'reason' in last ? last.reason : 'not delivered'} after ${attempts} attempt(s)`;
    await this.deadLetter({ batch, reason, attempts, at: new Date().toISOString() });
  }

  private async deadLetter(dead: DeadCallback): Promise<void> {
    const { topics, publisher, store, logger } = this.deps;
    await store.addDead(dead);
    const sourceTopic = dead.batch.type === 'attendance.answered' ? topics.attendance : topics.status;
    const letter: DeadLetter = { sourceTopic, key: dead.batch.key, value: JSON.stringify(dead.batch), reason: `callback to key "${dead.batch.key}" failed: ${dead.reason}`.slice(0, 2000), service: this.deps.service ?? 'operator-callbacks', at: dead.at };
    await publisher.publish([{ topic: topics.deadLetter, key: dead.batch.key, value: JSON.stringify(letter), headers: { 'source-topic': sourceTopic, reason: letter.reason.slice(0, 200), 'callback-batch': dead.batch.id } }]);
    logger.warn({ key: dead.batch.key, batch: dead.batch.id, type: dead.batch.type, items: callbackBatchSize(dead.batch), reason: dead.reason }, 'callback dead-lettered');
  }

  /** Sends the key's dead batches again, once each (same batch ids); those delivered leave the dead store. */
  async replay(target: CallbackTarget, range: { fromMs?: number; toMs?: number } = {}): Promise<{ replayed: number; failed: number; reasons: string[] }> {
    const dead = await this.deps.store.listDead(target.key, range);
    let replayed = 0;
    const reasons: string[] = [];
    for (const entry of dead) {
      const outcome = await this.attempt(target, entry.batch);
      if (outcome.kind === 'delivered') {
        await this.deps.store.removeDead(target.key, entry.batch.id);
        replayed += 1;
      } else reasons.push(outcome.reason);
    }
    return { replayed, failed: dead.length - replayed, reasons: [...new Set(reasons)] };
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => done(), ms), wake: () => done() };
      const done = () => {
        clearTimeout(entry.timer);
        this.sleeps.delete(entry);
        resolve();
      };
      this.sleeps.add(entry);
    });
  }

  /** Starts nothing new; batches waiting for a retry give up their items to the next run (not committed). */
  stop(): void {
    this.stopping = true;
    for (const endpoint of [...this.statusEndpoints.values(), ...this.answerEndpoints.values()]) {
      clearTimeout(endpoint.timer);
      const left = [...endpoint.waiting.map((w) => w.settled), ...endpoint.ready.flat().map((w) => w.settled)];
      endpoint.waiting = [];
      endpoint.ready = [];
      for (const settled of left) settled.reject(new Stopping('the callback dispatcher is stopping'));
    }
    for (const sleep of [...this.sleeps]) sleep.wake();
    this.stopped.abort();
  }
}
