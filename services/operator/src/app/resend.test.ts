import { withPrefix, type ChannelMessage, type DeliveryStatus, type EmailMessage } from '@gateway/contracts';
import type { OutgoingRecord } from '@gateway/bus';
import { createLogger } from '@gateway/common';
import { createMemoryOperatorStores, type MemoryOperatorStores } from '../data-access/stores';
import { failedRecord, status, summary } from '../../test/store-conformance';
import { ResendService } from './resend-service';
import { ResendJobRunner } from './job-runner';
import type { Publisher } from './publisher';

const topics = withPrefix('t');

function recordingPublisher(): Publisher & { records: Array<OutgoingRecord & { value: string }>; failNext: number } {
  const p = {
    records: [] as Array<OutgoingRecord & { value: string }>,
    failNext: 0,
    async publish(records: readonly OutgoingRecord[]) {
      if (p.failNext > 0) {
        p.failNext -= 1;
        throw new Error('broker unreachable');
      }
      p.records.push(...records.map((r) => ({ ...r, value: r.value.toString() })));
    },
  };
  return p;
}

async function seedFailed(stores: MemoryOperatorStores, id: string, name = 'Nguyễn Văn An') {
  await stores.failed.forWorker({ leaseMs: 30_000, waitMs: 0, doneTtlMs: 60_000, owner: 'test', failedRecordTtlMs: 60_000 }).recordFailure(failedRecord(id));
  await stores.notifications.apply([status(id, 'rendered', 5, { summary: summary(name, { phone: '+84900000001' }) }), status(id, 'failed', 4, { attempt: 1, error: { class: 'permanent', code: '21211', message: 'invalid To' } })]);
}

/** A failed invitation email whose calendar part names `attendee` (the renderer's own address, unless told otherwise). */
async function seedFailedInvitation(stores: MemoryOperatorStores, id: string, attendee = 'nvan@danang.gov.vn') {
  const recipient = { id: 'nguyen-van-an', name: 'Nguyễn Văn An', email: 'nvan@danang.gov.vn' };
  const ics = ['BEGIN:VCALENDAR', 'METHOD:REQUEST', 'BEGIN:VEVENT', 'UID:hop-1@gateway', 'SEQUENCE:0', `ATTENDEE;CN="Nguyễn Văn An";ROLE=REQ-PARTICIPANT:mailto:${attendee}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
  const message: EmailMessage = { id, eventId: 'evt-1', eventType: 'meeting.scheduled', correlationId: 'c-1', createdAt: '2025-09-26T08:00:00+07:00', urgency: 'thuong', recipient, attempt: 1, channel: 'email', subject: 'Giấy mời họp', html: '<p>Kính mời</p>', text: 'Kính mời', calendar: { method: 'REQUEST', uid: 'hop-1@gateway', sequence: 0, ics } };
  await stores.failed.forWorker({ leaseMs: 30_000, waitMs: 0, doneTtlMs: 60_000, owner: 'test', failedRecordTtlMs: 60_000 }).recordFailure(failedRecord(id, { channel: 'email', recipient, message }));
  await stores.notifications.apply([status(id, 'rendered', 5, { channel: 'email', summary: summary('Nguyễn Văn An', { email: 'nvan@danang.gov.vn' }) }), status(id, 'failed', 4, { channel: 'email', attempt: 1 })]);
}

describe('ResendService', () => {
  let stores: MemoryOperatorStores;
  let publisher: ReturnType<typeof recordingPublisher>;
  let clock: number;
  let service: ResendService;
  beforeEach(() => {
    clock = Date.parse('2025-09-29T01:00:00Z');
    stores = createMemoryOperatorStores({ now: () => clock });
    publisher = recordingPublisher();
    service = new ResendService({ stores, publisher, topics, now: () => clock, options: { autoWindowMs: 600_000, requestWindowMs: 86_400_000 } });
  });
  const messages = () => publisher.records.filter((r) => r.topic === topics.sms).map((r) => JSON.parse(r.value) as ChannelMessage);

  it('when an SMS its carrier reported undelivered is resent with a corrected number, then the message goes out from the copy the worker kept when it was sent', async () => {
    const { message } = failedRecord('u1');
    const worker = stores.failed.forWorker({ leaseMs: 30_000, waitMs: 0, doneTtlMs: 60_000, owner: 'test', failedRecordTtlMs: 60_000 });
    await worker.keepSentCopy(message, 60_000);
    await worker.recordUndelivered('u1', { at: '2025-09-29T00:59:00.000Z', provider: 'twilio', code: '30005' });
    await stores.notifications.apply([
      status('u1', 'rendered', 5, { summary: summary('Nguyễn Văn An', { phone: '+84900000001' }) }),
      status('u1', 'sent', 4, { attempt: 1, provider: 'twilio' }),
      status('u1', 'undelivered', 3, { error: { class: 'permanent', code: '30005', message: 'twilio undelivered (error 30005)' } }),
    ]);
    const result = await service.resend({ originalId: 'u1', phone: '0905 123 456', requestId: 'click-u1', actor: 'van-thu' });
    expect(result).toMatchObject({ kind: 'accepted', replayed: false });
    expect(messages()).toEqual([expect.objectContaining({ resendOf: 'u1', text: (message as { text: string }).text, recipient: expect.objectContaining({ phone: '+84905123456' }) })]);
  });

  it('when a failed SMS is resent with a corrected number, then the first status and then the message go out, linked to the original, with before/after kept', async () => {
    await seedFailed(stores, 'm1');
    const result = await service.resend({ originalId: 'm1', phone: '0905 123 456', requestId: 'click-1', actor: 'van-thu' });
    expect(result).toMatchObject({ kind: 'accepted', replayed: false });
    if (result.kind !== 'accepted') return;
    expect(publisher.records.map((r) => r.topic)).toEqual([topics.status, topics.sms]);
    const first = JSON.parse(publisher.records[0]?.value ?? '') as DeliveryStatus;
    expect(first).toMatchObject({ messageId: result.messageId, status: 'rendered', resendOf: 'm1', summary: { recipient: { phone: '+84905123456', name: 'Nguyễn Văn An' }, source: 'vpthanhuy-danang' } });
    expect(messages()[0]).toMatchObject({ id: result.messageId, resendOf: 'm1', attempt: 1, recipient: { phone: '+84905123456' }, text: 'Kính mời đồng chí dự họp.' });
    expect(result.record.corrections).toEqual({ phone: { before: '+84900000001', after: '+84905123456' } });
    expect((await stores.resends.resendsOf('m1')).map((r) => r.messageId)).toEqual([result.messageId]);
  });

  it('when the same request id comes again (a second click), then the same ids are answered and nothing is published again', async () => {
    await seedFailed(stores, 'm1');
    const a = await service.resend({ originalId: 'm1', phone: '0905123456', requestId: 'click-1', actor: 'van-thu' });
    const b = await service.resend({ originalId: 'm1', phone: '0905123456', requestId: 'click-1', actor: 'van-thu' });
    expect(b).toMatchObject({ kind: 'accepted', replayed: true, messageId: a.kind === 'accepted' ? a.messageId : 'x' });
    expect(messages()).toHaveLength(1);
    const c = await service.resend({ originalId: 'm1', phone: '0912000003', requestId: 'click-1', actor: 'van-thu' });
    expect(c).toMatchObject({ kind: 'conflict', code: 'request-reused' });
  });

  it('when no request id is given, then a repeat within the window is the same resend, and one after it (the first having failed too) is new', async () => {
    await seedFailed(stores, 'm1');
    const a = await service.resend({ originalId: 'm1', actor: 'van-thu' });
    clock += 60_000;
    const b = await service.resend({ originalId: 'm1', actor: 'van-thu' });
    expect(b).toMatchObject({ kind: 'accepted', replayed: true, messageId: a.kind === 'accepted' ? a.messageId : 'x' });
    clock += 600_000;
    // The first resend is still on its way: another one would reach the person twice.
    expect(await service.resend({ originalId: 'm1', actor: 'van-thu' })).toMatchObject({ kind: 'conflict', code: 'already-resent' });
    if (a.kind === 'accepted') await stores.notifications.apply([status(a.messageId, 'failed', 1, { attempt: 1 })]);
    const c = await service.resend({ originalId: 'm1', actor: 'van-thu' });
    expect(c).toMatchObject({ kind: 'accepted', replayed: false });
    expect(c.kind === 'accepted' && a.kind === 'accepted' && c.messageId !== a.messageId).toBe(true);
    expect(messages()).toHaveLength(2);
  });

  it('when the bus fails after the resend was recorded, then the same request later publishes it (and only then)', async () => {
    await seedFailed(stores, 'm1');
    publisher.failNext = 1;
    await expect(service.resend({ originalId: 'm1', requestId: 'r-1', actor: 'van-thu' })).rejects.toThrow(/unreachable/);
    expect(messages()).toHaveLength(0);
    const again = await service.resend({ originalId: 'm1', requestId: 'r-1', actor: 'van-thu' });
    expect(again).toMatchObject({ kind: 'accepted', replayed: true });
    expect(messages()).toHaveLength(1);
    await service.resend({ originalId: 'm1', requestId: 'r-1', actor: 'van-thu' });
    expect(messages()).toHaveLength(1);
  });

  it('when the corrections are invalid, the message was delivered, or no copy is kept, then nothing is sent and the reason is named', async () => {
    await seedFailed(stores, 'm1');
    expect(await service.resend({ originalId: 'm1', phone: '0123456789', email: 'not-an-email', actor: 'x' })).toMatchObject({ kind: 'invalid', errors: [{ path: 'phone' }, { path: 'email' }] });
    expect(await service.resend({ originalId: 'm1', updateDirectory: true, actor: 'x' })).toMatchObject({ kind: 'invalid', errors: [{ path: 'updateDirectory' }] });
    expect(await service.resend({ originalId: 'nope', actor: 'x' })).toEqual({ kind: 'not-found' });
    await stores.notifications.apply([status('m2', 'rendered', 3, { summary: summary('B') }), status('m2', 'failed', 2, { attempt: 1 })]);
    expect(await service.resend({ originalId: 'm2', actor: 'x' })).toMatchObject({ kind: 'conflict', code: 'no-copy' });
    await stores.notifications.apply([status('m1', 'delivered', 0, { attempt: 2 })]);
    expect(await service.resend({ originalId: 'm1', actor: 'x' })).toMatchObject({ kind: 'conflict', code: 'already-delivered', status: 'delivered' });
    expect(publisher.records).toHaveLength(0);
  });

  const emails = () => publisher.records.filter((r) => r.topic === topics.email).map((r) => JSON.parse(r.value) as EmailMessage);

  it("when an invitation is resent to a corrected email with an apostrophe (valid for the intake), then it goes out with that address in the envelope and the ATTENDEE", async () => {
    await seedFailedInvitation(stores, 'e1');
    const result = await service.resend({ originalId: 'e1', email: "o'neill@danang.gov.vn", requestId: 'fix', actor: 'van-thu' });
    expect(result).toMatchObject({ kind: 'accepted', replayed: false });
    expect(emails()).toEqual([expect.objectContaining({ recipient: expect.objectContaining({ email: "o'neill@danang.gov.vn" }) })]);
    expect(emails()[0]?.calendar?.ics.replace(/\r\n /g, '')).toContain("mailto:o'neill@danang.gov.vn\r\n");
  });

  it('when the invitation cannot be readdressed (its calendar names someone else), then the corrected email is refused with a Vietnamese reason, nothing is stored, and the chain stays resendable', async () => {
    await seedFailedInvitation(stores, 'e2', 'someone-else@danang.gov.vn');
    const refused = await service.resend({ originalId: 'e2', email: 'an.nguyen@danang.gov.vn', requestId: 'fix', actor: 'van-thu' });
    expect(refused).toEqual({ kind: 'invalid', errors: [{ path: 'email', code: 'cannot-readdress', message: expect.stringMatching(/không đổi được sang địa chỉ mới/) }] });
    expect(await stores.resends.resendsOf('e2')).toEqual([]);
    expect(await stores.resends.inFlight('e2')).toBeUndefined();
    // The same click again is refused the same way (no stored record to replay), and a resend without the correction goes.
    expect(await service.resend({ originalId: 'e2', email: 'an.nguyen@danang.gov.vn', requestId: 'fix', actor: 'van-thu' })).toMatchObject({ kind: 'invalid' });
    expect(await service.resend({ originalId: 'e2', requestId: 'plain', actor: 'van-thu' })).toMatchObject({ kind: 'accepted' });
    expect(emails()).toHaveLength(1);
  });

  it('when a resend was stored but the process died before publishing, then the chain is blocked only for a short while, and the interrupted request is not finished once another resend went out', async () => {
    await seedFailed(stores, 'm1');
    publisher.failNext = 1;
    await expect(service.resend({ originalId: 'm1', requestId: 'crashed', actor: 'van-thu' })).rejects.toThrow(/unreachable/);
    expect(await service.resend({ originalId: 'm1', requestId: 'soon-after', actor: 'van-thu' })).toMatchObject({ kind: 'conflict', code: 'already-resent' });
    clock += 5 * 60_000 + 1;
    const later = await service.resend({ originalId: 'm1', requestId: 'later', actor: 'van-thu' });
    expect(later).toMatchObject({ kind: 'accepted', replayed: false });
    // The interrupted click comes back: another resend of the chain is on its way, so it is not sent too.
    expect(await service.resend({ originalId: 'm1', requestId: 'crashed', actor: 'van-thu' })).toMatchObject({ kind: 'conflict', code: 'already-resent' });
    expect(messages()).toHaveLength(1);
  });

  it('when an interrupted resend is repeated long after (a job resumed at the next start) and nothing else went out, then it is finished, once', async () => {
    await seedFailed(stores, 'm1');
    publisher.failNext = 1;
    await expect(service.resend({ originalId: 'm1', requestId: 'crashed', actor: 'van-thu' })).rejects.toThrow(/unreachable/);
    clock += 60 * 60_000;
    expect(await service.resend({ originalId: 'm1', requestId: 'crashed', actor: 'van-thu' })).toMatchObject({ kind: 'accepted', replayed: true });
    expect(await service.resend({ originalId: 'm1', requestId: 'other', actor: 'van-thu' })).toMatchObject({ kind: 'conflict', code: 'already-resent' });
    expect(messages()).toHaveLength(1);
  });

  it('when a click and other resends of one chain race, then exactly one is sent and the others are refused as already resent', async () => {
    await seedFailed(stores, 'm1');
    const results = await Promise.all(['a', 'b', 'c'].map((requestId) => service.resend({ originalId: 'm1', requestId, actor: 'van-thu' })).concat([service.resend({ originalId: 'm1', jobId: 'job-x', actor: 'job:job-x' })]));
    expect(results.filter((r) => r.kind === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'conflict' && r.code === 'already-resent')).toHaveLength(3);
    expect(messages()).toHaveLength(1);
  });

  it('when asked to update the directory, then the person gets the corrected contact and the before/after is answered', async () => {
    await seedFailed(stores, 'm1');
    await stores.directory.upsertPerson({ id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84900000001', email: 'nvan@danang.gov.vn' });
    const result = await service.resend({ originalId: 'm1', phone: '0905123456', updateDirectory: true, actor: 'van-thu' });
    expect(result).toMatchObject({ kind: 'accepted', directory: { state: 'updated', before: { phone: '+84900000001' }, after: { phone: '+84905123456', email: 'nvan@danang.gov.vn' } } });
    expect((await stores.directory.getPerson('nguyen-van-an'))?.phone).toBe('+84905123456');
  });
});

describe('resend chains (an original and the resends that replace it)', () => {
  let stores: MemoryOperatorStores;
  let publisher: ReturnType<typeof recordingPublisher>;
  let service: ResendService;
  let runner: ResendJobRunner;
  beforeEach(() => {
    stores = createMemoryOperatorStores();
    publisher = recordingPublisher();
    service = new ResendService({ stores, publisher, topics });
    runner = new ResendJobRunner({ stores, resends: service, logger: createLogger({ name: 't', level: 'silent' }), options: { batchSize: 3 } });
  });
  const sent = () => publisher.records.filter((r) => r.topic === topics.sms).map((r) => JSON.parse(r.value) as ChannelMessage);
  /** What the status projection does with what was published, and the worker's failure of each new message. */
  async function projectAndFail(): Promise<void> {
    const statuses = publisher.records.filter((r) => r.topic === topics.status).map((r) => JSON.parse(r.value) as DeliveryStatus);
    await stores.notifications.apply(statuses);
    await stores.notifications.apply(sent().map((m) => status(m.id, 'failed', 0, { attempt: 1 })));
  }

  it('when a corrected resend failed too and the chain is resent, from the original or from the failed resend, then one message goes out, to the corrected number, naming the original', async () => {
    await seedFailed(stores, 'o1');
    const first = await service.resend({ originalId: 'o1', phone: '0905123456', requestId: 'fix', actor: 'van-thu' });
    expect(first).toMatchObject({ kind: 'accepted' });
    await projectAndFail();
    const r1 = first.kind === 'accepted' ? first.messageId : '';
    const again = await service.resend({ originalId: r1, requestId: 'again', actor: 'van-thu' });
    expect(again).toMatchObject({ kind: 'accepted', record: { originalId: 'o1', contact: { phone: '+84905123456' } } });
    // The original's row clicked meanwhile (an old tab): the chain's resend is on its way.
    expect(await service.resend({ originalId: 'o1', requestId: 'old-tab', actor: 'van-thu' })).toMatchObject({ kind: 'conflict', code: 'already-resent' });
    expect(sent().map((m) => [m.resendOf, m.recipient.phone])).toEqual([
      ['o1', '+84905123456'],
      ['o1', '+84905123456'],
    ]);
  });

  it('when a chain was resent after the job was created and that resend failed, then the job skips it (it already answered for the person)', async () => {
    for (const id of ['s1', 's2']) await seedFailed(stores, id);
    const job = await runner.create({ status: ['failed'] }, 'van-thu');
    expect(await service.resend({ originalId: 's1', requestId: 'click', actor: 'van-thu' })).toMatchObject({ kind: 'accepted' });
    await projectAndFail();
    await runner.run(job.id);
    expect(await stores.jobs.get(job.id)).toMatchObject({ state: 'done', done: 1, skipped: 1 });
    expect(sent().map((m) => m.resendOf).sort()).toEqual(['s1', 's2']);
  });

  it('when a job meets both an original and its failed resend, then the chain is resent once; a second job resends it once more, from its latest attempt', async () => {
    for (const id of ['a', 'b']) await seedFailed(stores, id);
    const job1 = await runner.create({ status: ['failed'] }, 'van-thu');
    await runner.run(job1.id);
    expect(sent()).toHaveLength(2);
    await projectAndFail();
    // Both originals and both failed resends are failed now: one row per chain.
    expect((await stores.notifications.search({ status: ['failed'], latestOnly: true, page: 1, pageSize: 10, sort: '-updatedAt' })).total).toBe(2);
    const job2 = await runner.create({ status: ['failed'] }, 'van-thu');
    expect(job2.total).toBe(2);
    await runner.run(job2.id);
    expect(await stores.jobs.get(job2.id)).toMatchObject({ state: 'done', done: 2, skipped: 0, failed: 0 });
    expect(sent()).toHaveLength(4);
    expect(sent().map((m) => m.resendOf).sort()).toEqual(['a', 'a', 'b', 'b']);
    // Even given every attempt of both chains as items, one job gives one message per chain.
    await projectAndFail();
    const everything = await stores.notifications.matchIds({ status: ['failed'] }, 100);
    expect(everything).toHaveLength(6);
    await stores.jobs.create({ ...(await stores.jobs.get(job2.id))!, id: 'every-attempt', state: 'running', cursor: 0, done: 0, total: everything.length }, everything);
    await runner.run('every-attempt');
    expect(new Set(sent().map((m) => m.id)).size).toBe(6);
  });
});

describe('ResendJobRunner', () => {
  it('when a job runs, then delivered-meanwhile messages are skipped, messages without a copy fail, the rest are resent once, and a re-run sends nothing more', async () => {
    const stores = createMemoryOperatorStores();
    const publisher = recordingPublisher();
    const service = new ResendService({ stores, publisher, topics });
    const runner = new ResendJobRunner({ stores, resends: service, logger: createLogger({ name: 't', level: 'silent' }), options: { batchSize: 2 } });
    for (const id of ['j1', 'j2', 'j3', 'j4', 'j5']) await seedFailed(stores, id);
    await stores.notifications.apply([status('nocopy', 'rendered', 5, { summary: summary('C') }), status('nocopy', 'dead', 4, { attempt: 8 })]);
    const job = await runner.create({ status: ['failed', 'dead'] }, 'van-thu');
    expect(job.total).toBe(6);
    // Between the snapshot and the run, one message got delivered (a late carrier report).
    await stores.notifications.apply([status('j3', 'delivered', 0, { attempt: 2 })]);
    await runner.run(job.id);
    expect(await stores.jobs.get(job.id)).toMatchObject({ state: 'done', total: 6, done: 4, skipped: 1, failed: 1 });
    const sent = publisher.records.filter((r) => r.topic === topics.sms).map((r) => (JSON.parse(r.value) as ChannelMessage).resendOf);
    expect(sent.sort()).toEqual(['j1', 'j2', 'j4', 'j5']);
    // The same job's items again (as after a crash before the cursor moved) publish nothing new.
    await stores.jobs.create({ ...(await stores.jobs.get(job.id))!, id: job.id, state: 'running', cursor: 0, done: 0, skipped: 0, failed: 0 }, await stores.jobs.items(job.id, 0, 10));
    await runner.run(job.id);
    expect(publisher.records.filter((r) => r.topic === topics.sms)).toHaveLength(4);
  });

  it('when two jobs are created at once over the same failed messages (a double click), then each person gets one message', async () => {
    const stores = createMemoryOperatorStores();
    const publisher = recordingPublisher();
    const service = new ResendService({ stores, publisher, topics });
    const runner = new ResendJobRunner({ stores, resends: service, logger: createLogger({ name: 't', level: 'silent' }), options: { batchSize: 4 } });
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    for (const id of ids) await seedFailed(stores, id);
    const [a, b] = await Promise.all([runner.create({ status: ['failed'] }, 'van-thu'), runner.create({ status: ['failed'] }, 'van-thu')]);
    await Promise.all([runner.run(a?.id ?? ''), runner.run(b?.id ?? '')]);
    const sent = publisher.records.filter((r) => r.topic === topics.sms).map((r) => (JSON.parse(r.value) as ChannelMessage).resendOf);
    expect(sent.sort()).toEqual(ids);
    const jobs = [await stores.jobs.get(a?.id ?? ''), await stores.jobs.get(b?.id ?? '')];
    expect(jobs.reduce((n, j) => n + (j?.done ?? 0), 0)).toBe(10);
    expect(jobs.reduce((n, j) => n + (j?.skipped ?? 0), 0)).toBe(10);
  });

  it('when an item cannot be resent (its invitation cannot be readdressed), then it is counted failed and the job goes on', async () => {
    const stores = createMemoryOperatorStores();
    const publisher = recordingPublisher();
    const service = new ResendService({ stores, publisher, topics });
    const runner = new ResendJobRunner({ stores, resends: service, logger: createLogger({ name: 't', level: 'silent' }), options: { batchSize: 2 } });
    await seedFailedInvitation(stores, 'x1', 'someone-else@danang.gov.vn');
    // An earlier resend corrected the address (and failed): the job's resend must readdress too.
    await stores.resends.claim({ resendId: 'rs-old', messageId: 'r-old', originalId: 'x1', channel: 'email', requestKey: 'req:old', by: 'van-thu', at: new Date().toISOString(), contact: { email: 'an.nguyen@danang.gov.vn' }, published: true }, 60_000, { replacing: null, at: Date.now() });
    await stores.notifications.apply([status('r-old', 'rendered', 2, { channel: 'email', resendOf: 'x1', summary: summary('Nguyễn Văn An') }), status('r-old', 'failed', 1, { channel: 'email', attempt: 1 })]);
    for (const id of ['y1', 'y2', 'y3']) await seedFailed(stores, id);
    const job = await runner.create({ status: ['failed'] }, 'van-thu');
    await runner.run(job.id);
    expect(await stores.jobs.get(job.id)).toMatchObject({ state: 'done', done: 3, failed: 1, skipped: 0 });
  });

  it('when a job is cancelled, then it stops before its next batch', async () => {
    const stores = createMemoryOperatorStores();
    const publisher = recordingPublisher();
    const service = new ResendService({ stores, publisher, topics });
    const runner = new ResendJobRunner({ stores, resends: service, logger: createLogger({ name: 't', level: 'silent' }), options: { batchSize: 1 } });
    for (const id of ['c1', 'c2', 'c3']) await seedFailed(stores, id);
    const original = publisher.publish.bind(publisher);
    let jobId = '';
    publisher.publish = async (records) => {
      await original(records);
      await stores.jobs.cancel(jobId);
    };
    const job = await runner.create({ status: ['failed'] }, 'van-thu');
    jobId = job.id;
    await runner.run(job.id);
    const after = await stores.jobs.get(job.id);
    expect(after?.state).toBe('cancelled');
    expect(publisher.records.filter((r) => r.topic === topics.sms)).toHaveLength(1);
  });
});
