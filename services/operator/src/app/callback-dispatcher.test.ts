import { callbackBatchSchema, callbackBatchSize, deadLetterSchema, statusEventsOf, type AttendanceAnswerItem, type NotificationStatusItem } from '@gateway/contracts';
import { createLogger, type CallbackTarget } from '@gateway/common';
import type { OutgoingRecord } from '@gateway/bus';
import { createMemoryCallbackStore } from '../data-access/callback-store';
import { verifyCallbackSignature } from '../domain/callbacks';
import { CallbackDispatcher, type CallbackDispatchOptions, type CallbackPoster } from './callback-dispatcher';

const target: CallbackTarget = { key: 'lich-hop', url: 'https://lichhop.example/cb', secret: 'whsec_0123456789abcdef0123456789abcdef' };
const item = (n: number): NotificationStatusItem => ({ messageId: `m-${n}`, eventId: 'e-1', channel: 'sms', status: 'delivered', at: '2026-12-02T01:00:00Z' });
const options: CallbackDispatchOptions = { batchMax: 3, lingerMs: 5, concurrency: 1, timeoutMs: 1000, maxAttempts: 3, backoff: { baseMs: 1, maxMs: 5 }, allowHttp: false };

interface Posted {
  body: string;
  headers: Record<string, string>;
}

function setup(answers: Array<number | Error>, overrides: Partial<CallbackDispatchOptions> = {}) {
  const posted: Posted[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const poster: CallbackPoster = {
    async post(_url, body, headers) {
      posted.push({ body, headers });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await Promise.resolve();
      inFlight -= 1;
      const answer = answers.shift() ?? 200;
      if (answer instanceof Error) throw answer;
      return { status: answer, retryAfter: null };
    },
  };
  const letters: OutgoingRecord[] = [];
  const store = createMemoryCallbackStore();
  const dispatcher = new CallbackDispatcher({ poster, store, publisher: { publish: async (r) => void letters.push(...r) }, topics: { status: 't.status', attendance: 't.attendance', deadLetter: 't.dead' }, logger: createLogger({ name: 'test', level: 'silent' }), options: { ...options, ...overrides } });
  const batches = () => posted.map((p) => callbackBatchSchema.parse(JSON.parse(p.body)));
  return { dispatcher, posted, batches, letters, store, maxInFlight: () => maxInFlight };
}

describe('callback dispatcher', () => {
  it('when 7 items arrive for one endpoint, then they go in batches of at most 3, in order, each signed', async () => {
    const { dispatcher, posted, batches } = setup([]);
    await dispatcher.enqueue(target, [1, 2, 3, 4, 5, 6, 7].map(item));
    expect(batches().map((b) => statusEventsOf(b).map((e) => e.messageId))).toEqual([['m-1', 'm-2', 'm-3'], ['m-4', 'm-5', 'm-6'], ['m-7']]);
    for (const p of posted) expect(verifyCallbackSignature(target.secret, p.headers['X-Gateway-Signature'] ?? '', p.body, Date.now() / 1000)).toEqual({ ok: true });
  });

  it('when attendance answers arrive, then they go in their own attendance.answered batch, signed, apart from the statuses', async () => {
    const { dispatcher, posted, batches } = setup([], { batchMax: 10 });
    const answers: AttendanceAnswerItem[] = [
      { meetingId: 'hop-bch', personId: 'nguyen-van-an', answer: 'absent', reason: 'Đi công tác', channel: 'link', at: '2026-12-02T01:00:00Z' },
      { meetingId: 'hop-bch', personId: 'tran-thi-bich', answer: 'delegate', delegate: { name: 'Lê Văn Cường' }, channel: 'link', at: '2026-12-02T01:01:00Z' },
    ];
    await Promise.all([dispatcher.enqueueAnswers(target, answers), dispatcher.enqueue(target, [item(1)])]);
    const byType = new Map(batches().map((b) => [b.type, b]));
    expect(batches()).toHaveLength(2);
    expect(byType.get('attendance.answered')).toMatchObject({ version: 1, key: 'lich-hop', answers });
    expect(batches().flatMap((b) => statusEventsOf(b)).map((e) => e.messageId)).toEqual(['m-1']);
    for (const p of posted) expect(verifyCallbackSignature(target.secret, p.headers['X-Gateway-Signature'] ?? '', p.body, Date.now() / 1000)).toEqual({ ok: true });
  });

  it('when every attempt at an answer batch fails, then it is dead-lettered from the attendance topic and replayed', async () => {
    const { dispatcher, letters, store, posted } = setup([500, 500, 500]);
    await dispatcher.enqueueAnswers(target, [{ meetingId: 'hop-bch', personId: 'nguyen-van-an', answer: 'attending', channel: 'link', at: '2026-12-02T01:00:00Z' }]);
    expect(deadLetterSchema.parse(JSON.parse(String(letters[0]?.value))).sourceTopic).toBe('t.attendance');
    expect(await dispatcher.replay(target)).toEqual({ replayed: 1, failed: 0, reasons: [] });
    expect(callbackBatchSchema.parse(JSON.parse(posted[3]?.body ?? '{}')).type).toBe('attendance.answered');
    expect(await store.listDead('lich-hop')).toEqual([]);
  });

  it('when items arrive in two calls within the wait, then they share one batch', async () => {
    const { dispatcher, batches } = setup([], { batchMax: 10, lingerMs: 50 });
    await Promise.all([dispatcher.enqueue(target, [item(1)]), dispatcher.enqueue(target, [item(2)])]);
    expect(batches().map((b) => callbackBatchSize(b))).toEqual([2]);
  });

  it('when the receiver answers 503 twice, then the third attempt delivers the same batch id and nothing is dead-lettered', async () => {
    const { dispatcher, posted, batches, letters } = setup([503, 503, 200]);
    await dispatcher.enqueue(target, [item(1)]);
    expect(posted).toHaveLength(3);
    expect(new Set(batches().map((b) => b.id)).size).toBe(1);
    expect(new Set(posted.map((p) => p.headers['X-Gateway-Delivery'])).size).toBe(1);
    expect(letters).toEqual([]);
  });

  it('when every attempt fails, then the batch is dead-lettered with the reason and kept for a replay, which delivers it once', async () => {
    const { dispatcher, posted, letters, store } = setup([503, new Error('connect ECONNREFUSED'), 502]);
    await dispatcher.enqueue(target, [item(1), item(2)]);
    expect(posted).toHaveLength(3);
    const letter = deadLetterSchema.parse(JSON.parse(String(letters[0]?.value)));
    expect(letter.reason).toBe('callback to key "lich-hop" failed: HTTP 502 after 3 attempt(s)');
    expect(callbackBatchSize(callbackBatchSchema.parse(JSON.parse(letter.value)))).toBe(2);
    expect(await store.listDead('lich-hop')).toHaveLength(1);

    expect(await dispatcher.replay(target)).toEqual({ replayed: 1, failed: 0, reasons: [] });
    expect(await store.listDead('lich-hop')).toEqual([]);
    expect(JSON.parse(posted[3]?.body ?? '{}')).toMatchObject({ id: JSON.parse(posted[0]?.body ?? '{}').id });
  });

  it('when the receiver refuses with a 4xx or the URL is http, then it is dead-lettered at once', async () => {
    const refused = setup([400]);
    await refused.dispatcher.enqueue(target, [item(1)]);
    expect(refused.posted).toHaveLength(1);
    expect(refused.letters).toHaveLength(1);
    const plain = setup([]);
    await plain.dispatcher.enqueue({ ...target, url: 'http://lichhop.example/cb' }, [item(1)]);
    expect(plain.posted).toHaveLength(0);
    expect((await plain.store.listDead('lich-hop'))[0]?.reason).toContain('not https');
  });

  it('when many batches wait, then no more than the concurrency cap are in flight for one endpoint', async () => {
    const { dispatcher, maxInFlight, posted } = setup([], { batchMax: 1, concurrency: 2 });
    await dispatcher.enqueue(target, [1, 2, 3, 4, 5, 6].map(item));
    expect(posted).toHaveLength(6);
    expect(maxInFlight()).toBeLessThanOrEqual(2);
  });

  it('when stopped, then waiting items are given back (rejected) so their offsets are not committed', async () => {
    const { dispatcher } = setup([], { lingerMs: 10_000 });
    const pending = dispatcher.enqueue(target, [item(1)]);
    dispatcher.stop();
    await expect(pending).rejects.toThrow('stopping');
  });

  it('when stopped while a receiver hangs, then the POST is aborted and its items given back', async () => {
    let aborted = false;
    let started: () => void = () => undefined;
    const posting = new Promise<void>((resolve) => (started = resolve));
    const poster: CallbackPoster = {
      post: (_url, _body, _headers, { signal }) =>
        new Promise((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    };
    const dispatcher = new CallbackDispatcher({ poster, store: createMemoryCallbackStore(), publisher: { publish: async () => undefined }, topics: { status: 's', attendance: 'a', deadLetter: 'd' }, logger: createLogger({ name: 'test', level: 'silent' }), options: { ...options, lingerMs: 1 } });
    const pending = dispatcher.enqueue(target, [item(1)]);
    await posting;
    dispatcher.stop();
    await expect(pending).rejects.toThrow('stopping');
    expect(aborted).toBe(true);
  });
});
