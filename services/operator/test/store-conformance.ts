import { DELIVERY_STATES, type DeliveryStatus, type MessageSummary } from '@gateway/contracts';
import type { FailedRecord } from '@gateway/delivery-ledger';
import type { OperatorStores } from '../src/data-access/stores';
import type { ResendRecord } from '../src/data-access/resend-store';
import type { ResendJob } from '../src/data-access/resend-job-store';
import { applyToRecord } from '../src/domain/notification';

/*
 * The behaviour every operator store adapter must have, run against Redis and memory by
 * redis-stores.component.test.ts and memory-stores.test.ts. Not a *.test.ts itself.
 */

export interface StoreFixture {
  stores: OperatorStores;
  /** Puts a worker's failed record where the adapter reads it. */
  putFailed(record: FailedRecord): Promise<void>;
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

export function summary(name: string, extra: Partial<MessageSummary['recipient']> = {}, more: Partial<MessageSummary> = {}): MessageSummary {
  return { recipient: { id: name.toLowerCase().replace(/\s+/g, '-'), name, ...extra }, eventType: 'meeting.scheduled', source: 'vpthanhuy-danang', urgency: 'thuong', ...more };
}

export function status(messageId: string, state: DeliveryStatus['status'], minutes: number, extra: Partial<DeliveryStatus> = {}): DeliveryStatus {
  return { messageId, eventId: 'evt-1', channel: 'sms', status: state, at: minutesAgo(minutes), ...extra };
}

export function failedRecord(messageId: string, extra: Partial<FailedRecord> = {}): FailedRecord {
  const recipient = { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84900000001' };
  return {
    messageId,
    eventId: 'evt-1',
    channel: 'sms',
    recipient,
    state: 'failed',
    reason: 'permanent error from twilio: invalid To',
    errorClass: 'permanent',
    code: '21211',
    provider: 'twilio',
    providerAnswer: '{"code":21211,"message":"The To number is not valid"}',
    attempts: 1,
    at: new Date().toISOString(),
    message: { id: messageId, eventId: 'evt-1', eventType: 'meeting.scheduled', correlationId: 'c-1', createdAt: '2025-09-26T08:00:00+07:00', urgency: 'thuong', recipient, attempt: 1, channel: 'sms', text: 'Kính mời đồng chí dự họp.', encoding: 'UCS-2', segments: 1, diacritics: 'keep' },
    ...extra,
  };
}

function job(id: string, extra: Partial<ResendJob> = {}): ResendJob {
  const at = new Date().toISOString();
  return { id, state: 'running', total: 3, done: 0, failed: 0, skipped: 0, createdBy: 'van-thu', createdAt: at, updatedAt: at, filter: { status: ['failed'] }, cursor: 0, ...extra };
}

function resend(id: string, originalId: string, extra: Partial<ResendRecord> = {}): ResendRecord {
  return { resendId: id, messageId: `r-${id}`, originalId, channel: 'sms', requestKey: `req:${id}`, by: 'van-thu', at: new Date().toISOString(), published: false, ...extra };
}

/** Claims taking the chain's in-flight marker over from whoever holds it (the tests of claim's other rules). */
async function claimOver(r: OperatorStores['resends'], record: ResendRecord, windowMs: number) {
  return r.claim(record, windowMs, { replacing: (await r.inFlight(record.originalId))?.token ?? null, at: Date.now() });
}

export function describeOperatorStores(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`operator stores conformance: ${name}`, () => {
    let fx: StoreFixture;
    beforeEach(async () => {
      fx = await factory();
    });

    describe('notifications', () => {
      it('when any status follows any other (same attempt, a later one, or none named), then the current state is what the domain\'s move rule says', async () => {
        const n = fx.stores.notifications;
        const cases = DELIVERY_STATES.flatMap((from) =>
          DELIVERY_STATES.flatMap((to) =>
            [undefined, 1, 2].map((attempt) => {
              const id = `mv-${from}-${to}-${attempt ?? 'none'}`;
              return { id, first: status(id, from, 2, { attempt: 1 }), second: status(id, to, 1, attempt === undefined ? {} : { attempt }) };
            }),
          ),
        );
        await n.apply(cases.map((c) => c.first));
        await n.apply(cases.map((c) => c.second));
        const got = await n.getMany(cases.map((c) => c.id));
        expect(cases.map((c) => [c.id, got.get(c.id)?.status])).toEqual(cases.map((c) => [c.id, applyToRecord(applyToRecord(undefined, c.first), c.second).status]));
      });

      it('when statuses repeat and arrive late, then each transition is recorded once and a final state is not undone', async () => {
        const n = fx.stores.notifications;
        const sending = status('m1', 'sending', 9, { attempt: 1 });
        const sent = status('m1', 'sent', 8, { attempt: 1, provider: 'twilio', providerMessageId: 'SM1' });
        await n.apply([status('m1', 'rendered', 10, { summary: summary('Nguyễn Văn An') }), sending, sent, status('m1', 'delivered', 7, { attempt: 1 })]);
        await n.apply([{ ...sending }, { ...sent }]);
        const view = await n.get('m1');
        expect(view?.status).toBe('delivered');
        expect(view?.history).toHaveLength(4);
        expect(view?.provider).toBe('twilio');
        expect(view?.summary?.recipient.name).toBe('Nguyễn Văn An');
      });

      it('when the first status arrives after the worker\'s, then it adds who the message is for without moving the state back', async () => {
        const n = fx.stores.notifications;
        await n.apply([status('m2', 'queued', 5), status('m2', 'sending', 5, { attempt: 1 })]);
        await n.apply([status('m2', 'rendered', 6, { summary: summary('Lê Thị Dung'), resendOf: 'm0' })]);
        const view = await n.get('m2');
        expect(view?.status).toBe('sending');
        expect(view?.summary?.recipient.name).toBe('Lê Thị Dung');
        expect(view?.resendOf).toBe('m0');
        const page = await n.search({ recipient: 'dung', page: 1, pageSize: 10, sort: '-updatedAt' });
        expect(page.items.map((i) => i.messageId)).toEqual(['m2']);
      });

      it('when searching, then status, channel, event, source, urgency, recipient and time filters combine, with totals per status and channel', async () => {
        const n = fx.stores.notifications;
        await n.apply([
          status('a', 'rendered', 60, { summary: summary('Nguyễn Văn Ân', { phone: '+84905123456' }, { urgency: 'hoa-toc' }) }),
          status('a', 'failed', 50, { attempt: 1, error: { class: 'permanent', code: '21211', message: 'invalid To' } }),
          status('b', 'rendered', 40, { channel: 'email', summary: summary('Trần Thị Bình', { email: 'ttbinh@danang.gov.vn' }) }),
          status('b', 'sent', 30, { channel: 'email', attempt: 1 }),
          status('c', 'rendered', 20, { eventId: 'evt-2', summary: summary('Phạm Văn Cường', { phone: '+84912000003' }, { source: 'vp-ubnd' }) }),
          status('c', 'dead', 10, { eventId: 'evt-2', attempt: 8 }),
        ]);
        const q = { page: 1, pageSize: 10, sort: '-updatedAt' as const };
        const all = await n.search(q);
        expect(all.items.map((i) => i.messageId)).toEqual(['c', 'b', 'a']);
        expect(all.total).toBe(3);
        expect(all.totals.byStatus).toMatchObject({ failed: 1, sent: 1, dead: 1, delivered: 0 });
        expect(all.totals.byChannel).toMatchObject({ sms: 2, email: 1, push: 0 });
        expect((await n.search({ ...q, sort: 'updatedAt' })).items.map((i) => i.messageId)).toEqual(['a', 'b', 'c']);
        expect((await n.search({ ...q, status: ['failed', 'dead'] })).items.map((i) => i.messageId)).toEqual(['c', 'a']);
        expect((await n.search({ ...q, status: ['failed', 'dead'], channel: ['sms'], eventId: 'evt-1' })).items.map((i) => i.messageId)).toEqual(['a']);
        expect((await n.search({ ...q, source: 'vp-ubnd' })).items.map((i) => i.messageId)).toEqual(['c']);
        expect((await n.search({ ...q, urgency: ['hoa-toc', 'thuong-khan'] })).items.map((i) => i.messageId)).toEqual(['a']);
        // Names without diacritics and in any case; phones as typed nationally; emails.
        expect((await n.search({ ...q, recipient: 'NGUYEN VAN AN' })).items.map((i) => i.messageId)).toEqual(['a']);
        expect((await n.search({ ...q, recipient: '0905 123 456' })).items.map((i) => i.messageId)).toEqual(['a']);
        expect((await n.search({ ...q, recipient: 'ttbinh@' })).items.map((i) => i.messageId)).toEqual(['b']);
        const byName = await n.search({ ...q, recipient: 'van' });
        expect(byName.items.map((i) => i.messageId)).toEqual(['c', 'a']);
        expect(byName.totals.byStatus).toMatchObject({ dead: 1, failed: 1, sent: 0 });
        const recent = await n.search({ ...q, from: Date.now() - 35 * 60_000, to: Date.now() - 5 * 60_000 });
        expect(recent.items.map((i) => i.messageId)).toEqual(['c', 'b']);
        const paged = await n.search({ ...q, pageSize: 2, page: 2 });
        expect(paged.items.map((i) => i.messageId)).toEqual(['a']);
        expect(paged.total).toBe(3);
        const counted = await n.search({ ...q, pageSize: 0 });
        expect(counted.items).toEqual([]);
        expect(counted.total).toBe(3);
        expect(await n.matchIds({ status: ['failed', 'dead'] }, 10)).toEqual(['a', 'c']);
        expect(await n.matchIds({ status: ['failed', 'dead'] }, 1)).toEqual(['a']);
        const many = await n.getMany(['a', 'zzz', 'c']);
        expect([...many.keys()].sort()).toEqual(['a', 'c']);
        expect(many.get('a')?.lastError?.code).toBe('21211');
      });

      it('when an original was resent and its resends failed too, then one-row-per-chain results hold only the latest attempt, whatever order the resends were projected in', async () => {
        const n = fx.stores.notifications;
        const q = { page: 1, pageSize: 10, sort: '-updatedAt' as const, eventId: 'evt-chain' };
        await n.apply([status('o', 'rendered', 30, { eventId: 'evt-chain', summary: summary('An') }), status('o', 'failed', 29, { eventId: 'evt-chain', attempt: 1 })]);
        // The second resend's statuses are projected before the first one's (another partition).
        await n.apply([status('r2', 'rendered', 10, { eventId: 'evt-chain', resendOf: 'o', summary: summary('An') }), status('r2', 'failed', 9, { eventId: 'evt-chain', attempt: 1 })]);
        await n.apply([status('r1', 'rendered', 20, { eventId: 'evt-chain', resendOf: 'o', summary: summary('An') }), status('r1', 'failed', 19, { eventId: 'evt-chain', attempt: 1 })]);
        await n.apply([status('p', 'rendered', 30, { eventId: 'evt-chain', summary: summary('Bình') }), status('p', 'failed', 28, { eventId: 'evt-chain', attempt: 1 })]);
        const latest = await n.search({ ...q, latestOnly: true });
        expect(latest.items.map((i) => i.messageId)).toEqual(['r2', 'p']);
        expect(latest.total).toBe(2);
        expect(latest.totals.byStatus).toMatchObject({ failed: 2 });
        expect((await n.search({ ...q, latestOnly: true, recipient: 'an' })).items.map((i) => i.messageId)).toEqual(['r2']);
        expect(await n.matchIds({ eventId: 'evt-chain', status: ['failed'], latestOnly: true }, 10)).toEqual(['p', 'r2']);
        // Every attempt is still there for the history and the report.
        expect((await n.search(q)).total).toBe(4);
        expect((await n.matchIds({ eventId: 'evt-chain' }, 10)).sort()).toEqual(['o', 'p', 'r1', 'r2']);
        // A repeat of a resend's first status changes nothing.
        await n.apply([status('r1', 'rendered', 20, { eventId: 'evt-chain', resendOf: 'o', summary: summary('An') })]);
        expect((await n.search({ ...q, latestOnly: true })).items.map((i) => i.messageId)).toEqual(['r2', 'p']);
      });

      it('when a status carries a lone UTF-16 surrogate, then it is stored with U+FFFD in its place and found by the rest of the name', async () => {
        const n = fx.stores.notifications;
        await n.apply([status('s1', 'rendered', 5, { summary: summary('Nguyễn \ud800Văn Lẻ'), reason: 'x\udc00y' }), status('s2', 'rendered', 5, { summary: summary('Trần Thị Đủ') })]);
        const view = await n.get('s1');
        expect(view?.summary?.recipient.name).toBe('Nguyễn \ufffdVăn Lẻ');
        expect(view?.history[0]?.summary?.recipient.name).toBe('Nguyễn \ufffdVăn Lẻ');
        expect((await n.search({ page: 1, pageSize: 10, sort: '-updatedAt', recipient: 'van le' })).items.map((i) => i.messageId)).toEqual(['s1']);
        expect((await n.get('s2'))?.summary?.recipient.name).toBe('Trần Thị Đủ');
      });

      it('when a message changes state, then it leaves the old state\'s results', async () => {
        const n = fx.stores.notifications;
        await n.apply([status('r1', 'rendered', 3, { summary: summary('A') }), status('r1', 'retrying', 2, { attempt: 1 })]);
        expect((await n.search({ status: ['retrying'], page: 1, pageSize: 10, sort: '-updatedAt' })).total).toBe(1);
        await n.apply([status('r1', 'sent', 1, { attempt: 2 })]);
        expect((await n.search({ status: ['retrying'], page: 1, pageSize: 10, sort: '-updatedAt' })).total).toBe(0);
        expect((await n.search({ status: ['sent'], page: 1, pageSize: 10, sort: '-updatedAt' })).total).toBe(1);
      });
    });

    describe('resends', () => {
      it('when the same request key is claimed twice within its window, then the first record is answered; links read both ways', async () => {
        const r = fx.stores.resends;
        const first = await claimOver(r, resend('rs1', 'm1'), 60_000);
        expect(first.kind).toBe('created');
        const again = await claimOver(r, resend('rs2', 'm1', { requestKey: 'req:rs1' }), 60_000);
        expect(again).toMatchObject({ kind: 'existing', record: { resendId: 'rs1', messageId: 'r-rs1' } });
        const other = await claimOver(r, resend('rs3', 'm1'), 60_000);
        expect(other.kind).toBe('created');
        await r.markPublished('rs1');
        expect((await r.get('rs1'))?.published).toBe(true);
        expect((await r.byMessage('r-rs3'))?.resendId).toBe('rs3');
        expect(await r.byMessage('m1')).toBeUndefined();
        expect((await r.resendsOf('m1')).map((x) => x.resendId)).toEqual(['rs1', 'rs3']);
        expect(await r.resendsOf('nothing')).toEqual([]);
      });

      it('when two claims of the same key race, then exactly one is created', async () => {
        const results = await Promise.all([1, 2, 3, 4].map((i) => fx.stores.resends.claim(resend(`race-${i}`, 'm9', { requestKey: 'auto:x' }), 60_000, { replacing: null, at: Date.now() })));
        expect(results.filter((x) => x.kind === 'created')).toHaveLength(1);
        expect(new Set(results.map((x) => (x.kind === 'busy' ? x.holder : x.record.resendId))).size).toBe(1);
      });

      it('when claims of one chain with different request keys race (two jobs, a job and a click), then one takes the in-flight marker and the others store nothing', async () => {
        const r = fx.stores.resends;
        const at = Date.now();
        const results = await Promise.all([1, 2, 3, 4].map((i) => r.claim(resend(`fly-${i}`, 'm10', { requestKey: `job:j${i}` }), 60_000, { replacing: null, at })));
        const created = results.filter((x) => x.kind === 'created');
        expect(created).toHaveLength(1);
        const winner = created[0]?.kind === 'created' ? created[0].record.resendId : '';
        expect(results.filter((x) => x.kind === 'busy').map((x) => (x.kind === 'busy' ? x.holder.split(' ')[0] : ''))).toEqual([winner, winner, winner]);
        expect((await r.resendsOf('m10')).map((x) => x.resendId)).toEqual([winner]);
        expect(await r.inFlight('m10')).toMatchObject({ resendId: winner, takenAt: at });
      });

      it('when the in-flight marker is taken over, then only a caller that read the current holder wins, and a stored resend can take it back only the same way', async () => {
        const r = fx.stores.resends;
        await r.claim(resend('h1', 'm11'), 60_000, { replacing: null, at: 1 });
        const held = await r.inFlight('m11');
        // Two callers judged h1 settled: the first takes over, the second (holding the old token) loses.
        expect((await r.claim(resend('h2', 'm11'), 60_000, { replacing: held?.token ?? null, at: 2 })).kind).toBe('created');
        expect(await r.claim(resend('h3', 'm11'), 60_000, { replacing: held?.token ?? null, at: 3 })).toMatchObject({ kind: 'busy', holder: expect.stringMatching(/^h2 /) });
        expect(await r.takeInFlight('m11', 'h1', { replacing: held?.token ?? null, at: 4 })).toBe(false);
        const now = await r.inFlight('m11');
        expect(now).toMatchObject({ resendId: 'h2', takenAt: 2 });
        // Finishing h2 later refreshes its marker: whoever read the old token loses.
        expect(await r.takeInFlight('m11', 'h2', { replacing: now?.token ?? null, at: 5 })).toBe(true);
        expect((await r.claim(resend('h4', 'm11'), 60_000, { replacing: now?.token ?? null, at: 6 })).kind).toBe('busy');
        expect(await r.takeInFlight('m12', 'h9', { replacing: null, at: 7 })).toBe(true);
        expect((await r.resendsOf('m11')).map((x) => x.resendId)).toEqual(['h1', 'h2']);
      });

      it('when the latest resends of several originals are read at once, then each original with resends maps to its last one and the others are absent', async () => {
        const r = fx.stores.resends;
        await claimOver(r, resend('l1', 'a1'), 60_000);
        await claimOver(r, resend('l2', 'a2'), 60_000);
        await claimOver(r, resend('l3', 'a1'), 60_000);
        await r.markPublished('l3');
        const latest = await r.latestOf(['a1', 'a2', 'none', 'a1']);
        expect([...latest.keys()].sort()).toEqual(['a1', 'a2']);
        expect(latest.get('a1')).toMatchObject({ resendId: 'l3', messageId: 'r-l3', originalId: 'a1', published: true });
        expect(latest.get('a2')).toMatchObject({ resendId: 'l2', messageId: 'r-l2', originalId: 'a2', published: false });
        expect(await r.latestOf([])).toEqual(new Map());
      });

      it('when an original has many resends, then its latest is the same as the last of resendsOf', async () => {
        const r = fx.stores.resends;
        for (let i = 1; i <= 5; i += 1) await claimOver(r, resend(`many-${i}`, 'b1'), 60_000);
        const all = await r.resendsOf('b1');
        expect((await r.latestOf(['b1'])).get('b1')).toEqual(all[all.length - 1]);
      });
    });

    describe('resend jobs', () => {
      it('when a job advances, then the cursor moves only from where it is, counts add up, and a finished or cancelled job takes no more', async () => {
        const j = fx.stores.jobs;
        await j.create(job('j1', { filter: { status: ['failed'], eventId: 'evt-1', from: '2025-09-29T08:00:00+07:00' } }), ['a', 'b', 'c']);
        expect(await j.items('j1', 1, 5)).toEqual(['b', 'c']);
        expect(await j.running()).toContain('j1');
        expect(await j.advance('j1', 0, { done: 1, failed: 0, skipped: 1 }, 2)).toBe(true);
        expect(await j.advance('j1', 0, { done: 2, failed: 0, skipped: 0 }, 2)).toBe(false);
        expect(await j.get('j1')).toMatchObject({ cursor: 2, done: 1, skipped: 1, failed: 0, total: 3, state: 'running', filter: { status: ['failed'], eventId: 'evt-1', from: '2025-09-29T08:00:00+07:00' } });
        expect((await j.cancel('j1'))?.state).toBe('cancelled');
        expect(await j.advance('j1', 2, { done: 1, failed: 0, skipped: 0 }, 1)).toBe(false);
        expect(await j.finish('j1', 'done')).toBe(false);
        expect(await j.running()).not.toContain('j1');
        await j.create(job('j2'), ['x']);
        expect(await j.finish('j2', 'done')).toBe(true);
        expect((await j.list(10)).map((x) => x.id)).toEqual(expect.arrayContaining(['j1', 'j2']));
        expect(await j.get('nope')).toBeUndefined();
      });

      it('when two owners ask for a job\'s lease, then one holds it until it releases', async () => {
        const j = fx.stores.jobs;
        expect(await j.lease('j3', 'one', 10_000)).toBe(true);
        expect(await j.lease('j3', 'two', 10_000)).toBe(false);
        expect(await j.lease('j3', 'one', 10_000)).toBe(true);
        await j.release('j3', 'two');
        expect(await j.lease('j3', 'two', 10_000)).toBe(false);
        await j.release('j3', 'one');
        expect(await j.lease('j3', 'two', 10_000)).toBe(true);
      });
    });

    describe('audit', () => {
      it('when entries are appended, then they read back newest first, filtered by actor, action and time, paged with a total', async () => {
        const a = fx.stores.audit;
        const before = Date.now() - 1;
        await a.append({ actor: 'van-thu', action: 'notification.resend', outcome: 'ok', messageIds: ['m1', 'r1'], details: { corrections: { phone: { before: '+84900000001', after: '+84905123456' } } } });
        await a.append({ actor: 'xem', action: 'notification.resend', outcome: 'denied', status: 403 });
        await a.append({ actor: 'van-thu', action: 'resend-job.create', outcome: 'ok', filter: { status: ['failed'] } });
        const all = await a.query({ page: 1, pageSize: 10, from: before });
        expect(all.items.map((e) => e.action)).toEqual(['resend-job.create', 'notification.resend', 'notification.resend']);
        expect(all.total).toBe(3);
        expect(all.items[2]?.details).toEqual({ corrections: { phone: { before: '+84900000001', after: '+84905123456' } } });
        expect(all.items[0]?.at).toMatch(/^\d{4}-/);
        expect((await a.query({ page: 1, pageSize: 10, actor: 'xem' })).items.map((e) => e.outcome)).toEqual(['denied']);
        const resends = await a.query({ page: 2, pageSize: 1, action: 'notification.resend' });
        expect(resends.total).toBe(2);
        expect(resends.items.map((e) => e.actor)).toEqual(['van-thu']);
        expect((await a.query({ page: 1, pageSize: 10, to: before })).total).toBe(0);
      });
    });

    describe('failed records', () => {
      it('when a worker recorded a failure, then the full message reads back; an unknown id is undefined', async () => {
        await fx.putFailed(failedRecord('f1'));
        expect((await fx.stores.failed.getFailed('f1'))?.message.recipient.phone).toBe('+84900000001');
        expect(await fx.stores.failed.getFailed('f2')).toBeUndefined();
      });
    });
  });
}
