import type { BusPublisher as Producer } from '@gateway/bus';
import type { DeliveryStatus, DeadLetter } from '@gateway/contracts';
import { waitFor } from '@gateway/tests/support/infra';
import { collectTopic, connectedProducer, produceMessages, smsMessage, statusesOf } from '@gateway/worker-core/test/support/kafka';
import { startLoopbackEsms, startLoopbackTwilio, twilioAccount, type LoopbackEsms, type LoopbackTwilio } from './support/loopback-providers';
import { ESMS_CREDENTIALS, esmsEnv, smsTestBed, twilioEnv, type SmsTestBed } from './support/harness';
import { twilioSignature } from '../src/adapters/twilio-signature';

jest.setTimeout(120_000);

describe('SMS worker against a real broker, real Redis and loopback providers', () => {
  let producer: Producer;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    producer = await connectedProducer();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  async function bed(name: string, partitions = 3): Promise<SmsTestBed> {
    const b = await smsTestBed(name, partitions);
    cleanups.push(() => b.stopAll());
    return b;
  }
  async function twilio(accounts = [twilioAccount()]): Promise<{ server: LoopbackTwilio; account: { sid: string; token: string } }> {
    const server = await startLoopbackTwilio(accounts);
    cleanups.push(() => server.close());
    return { server, account: accounts[0] as { sid: string; token: string } };
  }
  async function esms(): Promise<LoopbackEsms> {
    const server = await startLoopbackEsms(ESMS_CREDENTIALS);
    cleanups.push(() => server.close());
    return server;
  }
  async function collect(topic: string) {
    const c = await collectTopic(topic);
    cleanups.push(c.stop);
    return c;
  }
  const PUBLIC_URL = 'https://thongbao.example.gov.vn/v1/callbacks/twilio';
  /** A Twilio worker with status callbacks on, its status topic collected, and a way to post callbacks to it. */
  async function callbackBed(name: string) {
    const b = await bed(name);
    const { server, account } = await twilio();
    const statuses = await collect(b.topics.status);
    const worker = await b.start({ SMS_PROVIDERS: 'twilio', ...twilioEnv(server.url, account, { TWILIO_STATUS_CALLBACK_URL: PUBLIC_URL }) });
    const post = (query: string, params: Record<string, string>, signature: string | undefined = twilioSignature(account.token, PUBLIC_URL + query, params)) =>
      fetch(`${worker.url}/v1/callbacks/twilio${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
        body: new URLSearchParams(params).toString(),
      });
    return { b, server, account, statuses, worker, post };
  }

  it('when Twilio answers 500 twice and then 201, then the SMS is sent exactly once and three attempts are recorded', async () => {
    const b = await bed('sms-500');
    const { server, account } = await twilio();
    server.answer = (_req, nth) => (nth <= 2 ? { kind: 'error', status: 500, code: 20500, message: 'Internal Server Error' } : { kind: 'accept' });
    const statuses = await collect(b.topics.status);
    await b.start({ SMS_PROVIDERS: 'twilio', ...twilioEnv(server.url, account) });
    const message = smsMessage(b.prefix, 1);
    await produceMessages(producer, b.topics.sms, [message]);

    await waitFor(() => statusesOf(statuses.records, message.id).some((s) => s.status === 'sent'), { timeoutMs: 60_000, message: 'a sent status' });
    expect(server.requestCount(message.id)).toBe(3);
    expect(server.acceptedCount(message.id)).toBe(1);
    const history = statusesOf(statuses.records, message.id);
    expect(history.filter((s) => s.status === 'sending').map((s) => s.attempt)).toEqual([1, 2, 3]);
    const retrying = history.filter((s) => s.status === 'retrying');
    expect(retrying.map((s) => s.attempt)).toEqual([1, 2]);
    for (const r of retrying) {
      expect(r.error).toMatchObject({ class: 'transient', code: '20500' });
      expect(Date.parse(r.nextAttemptAt ?? '')).toBeGreaterThan(0);
    }
    expect(history.find((s) => s.status === 'sent')).toMatchObject({ attempt: 3, provider: 'twilio', providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(history[0]?.status).toBe('queued');
  });

  it('when Twilio answers 21211 (invalid To), then nothing is retried: a failed record with the reason, a dead letter and a failed status', async () => {
    const b = await bed('sms-21211');
    const { server, account } = await twilio();
    server.answer = () => ({ kind: 'error', status: 400, code: 21211, message: "The 'To' number +84900000001 is not a valid phone number." });
    const statuses = await collect(b.topics.status);
    const deadLetters = await collect(b.topics.deadLetter);
    const worker = await b.start({ SMS_PROVIDERS: 'twilio', ...twilioEnv(server.url, account) });
    const message = smsMessage(b.prefix, 1);
    await produceMessages(producer, b.topics.sms, [message]);

    await waitFor(() => statusesOf(statuses.records, message.id).some((s) => s.status === 'failed'), { timeoutMs: 30_000, message: 'a failed status' });
    await waitFor(() => deadLetters.records.length === 1, { timeoutMs: 10_000, message: 'a dead letter' });
    const letter = JSON.parse(deadLetters.records[0]?.value ?? '{}') as DeadLetter;
    expect(letter).toMatchObject({ sourceTopic: b.topics.sms, service: 'worker-sms' });
    expect(letter.reason).toContain('21211');
    expect(JSON.parse(letter.value)).toMatchObject({ id: message.id });

    const record = await worker.worker.ledger.getFailed(message.id);
    expect(record).toMatchObject({ messageId: message.id, eventId: message.eventId, channel: 'sms', state: 'failed', errorClass: 'permanent', code: '21211', attempts: 1, provider: 'twilio' });
    expect(record?.reason).toContain("invalid 'To' phone number");
    expect(record?.providerAnswer).toContain('not a valid phone number');
    expect(record?.message).toMatchObject({ id: message.id, text: message.channel === 'sms' ? message.text : '' });
    expect(record?.recipient.phone).toBe(message.recipient.phone);

    const failed = statusesOf(statuses.records, message.id).find((s) => s.status === 'failed') as DeliveryStatus;
    expect(failed.error).toMatchObject({ class: 'permanent', code: '21211' });
    expect(server.requestCount(message.id)).toBe(1);
    expect(statusesOf(statuses.records, message.id).some((s) => s.status === 'retrying')).toBe(false);
  });

  it.each([
    ['refuses connections', 'refused'],
    ['answers 503', '503'],
  ] as const)('when the first provider %s, then the second one sends and the sent status names it', async (_label, mode) => {
    const b = await bed(`sms-failover-${mode}`);
    const second = await esms();
    let firstUrl: string;
    let first: LoopbackTwilio | undefined;
    const account = twilioAccount();
    if (mode === 'refused') {
      // A port that was just free and is closed again: connection refused.
      const gone = await startLoopbackTwilio([account]);
      firstUrl = gone.url;
      await gone.close();
    } else {
      first = (await twilio([account])).server;
      first.answer = () => ({ kind: 'error', status: 503, code: 20503, message: 'Service Unavailable' });
      firstUrl = first.url;
    }
    const statuses = await collect(b.topics.status);
    await b.start({ SMS_PROVIDERS: 'twilio,esms', ...twilioEnv(firstUrl, account), ...esmsEnv(second.url), SMS_CIRCUIT_FAILURE_THRESHOLD: '2', SMS_CIRCUIT_COOLDOWN_MS: '60000' });
    const messages = Array.from({ length: 10 }, (_, i) => smsMessage(b.prefix, i));
    await produceMessages(producer, b.topics.sms, messages);

    await waitFor(() => messages.every((m) => statusesOf(statuses.records, m.id).some((s) => s.status === 'sent')), { timeoutMs: 60_000, message: 'every message sent' });
    for (const m of messages) {
      expect(statusesOf(statuses.records, m.id).find((s) => s.status === 'sent')?.provider).toBe('esms');
      expect(second.acceptedCount(m.id)).toBe(1);
    }
    expect(second.duplicates()).toEqual([]);
    // Once its circuit opened, no message went back to the first provider (the cool-down outlasts the test).
    if (first) expect(first.requests.length).toBeLessThanOrEqual(messages.length);
  });

  it('when a message waits for its retry, then 100 messages behind it on the same partition go out meanwhile', async () => {
    const b = await bed('sms-noblock', 1);
    const { server, account } = await twilio();
    const slow = smsMessage(b.prefix, 0);
    // Retry-After is a floor: the retry is at least 60 s away, far beyond this test's wait.
    server.answer = (req) => (req.messageId === slow.id ? { kind: 'error', status: 429, code: 20429, message: 'Too Many Requests', retryAfterSeconds: 60 } : { kind: 'accept' });
    const statuses = await collect(b.topics.status);
    await b.start({ SMS_PROVIDERS: 'twilio', ...twilioEnv(server.url, account) });
    const behind = Array.from({ length: 100 }, (_, i) => smsMessage(b.prefix, i + 1));
    await produceMessages(producer, b.topics.sms, [slow]);
    await produceMessages(producer, b.topics.sms, behind);

    await waitFor(() => behind.every((m) => server.acceptedCount(m.id) === 1), { timeoutMs: 30_000, message: 'the 100 messages behind accepted' });
    const retrying = statusesOf(statuses.records, slow.id).find((s) => s.status === 'retrying');
    expect(retrying).toBeDefined();
    const firstTry = server.requests.find((r) => r.messageId === slow.id)?.at ?? 0;
    expect(Date.parse(retrying?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(firstTry + 59_000);
    expect(server.requestCount(slow.id)).toBe(1);
    expect(Math.max(...behind.map((m) => server.accepted.find((r) => r.messageId === m.id)?.at ?? Infinity))).toBeLessThan(Date.parse(retrying?.nextAttemptAt ?? ''));
  });

  it('when a Twilio status callback has a bad signature, then it is refused with 403 and nothing is published; a good one yields a delivered status', async () => {
    const { b, account, statuses, worker, post } = await callbackBed('sms-callback');
    const publicUrl = PUBLIC_URL;
    const params = (sid: string) => ({ MessageSid: sid, MessageStatus: 'delivered', AccountSid: account.sid, To: '+84905000001', From: '+15005550006', ApiVersion: '2010-04-01' });

    const forged = `?messageId=${b.prefix}-forged&eventId=${b.prefix}-event`;
    expect((await post(forged, params('SM1'), twilioSignature('not-the-token', publicUrl + forged, params('SM1')))).status).toBe(403);
    expect((await post(forged, params('SM1'), '')).status).toBe(403);
    // Signed for another URL (a replayed callback of someone else's message).
    expect((await post(forged, params('SM1'), twilioSignature(account.token, `${publicUrl}?messageId=other&eventId=${b.prefix}-event`, params('SM1')))).status).toBe(403);

    const good = `?messageId=${b.prefix}-m1&eventId=${b.prefix}-event`;
    const answer = await post(good, params('SM2'), twilioSignature(account.token, publicUrl + good, params('SM2')));
    expect(answer.status).toBe(204);
    await waitFor(() => statusesOf(statuses.records, `${b.prefix}-m1`).some((s) => s.status === 'delivered'), { timeoutMs: 20_000, message: 'a delivered status' });
    expect(statusesOf(statuses.records, `${b.prefix}-m1`)[0]).toMatchObject({ status: 'delivered', channel: 'sms', eventId: `${b.prefix}-event`, provider: 'twilio', providerMessageId: 'SM2' });
    expect(statusesOf(statuses.records, `${b.prefix}-forged`)).toEqual([]);

    const undelivered = `?messageId=${b.prefix}-m2&eventId=${b.prefix}-event`;
    const failedParams = { ...params('SM3'), MessageStatus: 'undelivered', ErrorCode: '30003' };
    expect((await post(undelivered, failedParams, twilioSignature(account.token, publicUrl + undelivered, failedParams))).status).toBe(204);
    await waitFor(() => statusesOf(statuses.records, `${b.prefix}-m2`).some((s) => s.status === 'undelivered'), { timeoutMs: 20_000, message: 'an undelivered status' });
    expect(statusesOf(statuses.records, `${b.prefix}-m2`)[0]?.error).toMatchObject({ code: '30003' });
    // m2 was never sent by this worker: no copy, so nothing for an operator to resend from.
    expect(await worker.worker.ledger.getFailed(`${b.prefix}-m2`)).toBeUndefined();
  });

  it('when Twilio reports a sent SMS undelivered, then its kept copy becomes a failed record an operator can resend, and the original is still never sent twice', async () => {
    const { b, server, account, statuses, worker, post } = await callbackBed('sms-undelivered');
    const message = smsMessage(b.prefix, 1);
    await produceMessages(producer, b.topics.sms, [message]);
    await waitFor(() => statusesOf(statuses.records, message.id).some((s) => s.status === 'sent'), { timeoutMs: 60_000, message: 'a sent status' });
    const sent = statusesOf(statuses.records, message.id).find((s) => s.status === 'sent');
    // Sent is not failed: nothing to resend yet.
    expect(await worker.worker.ledger.getFailed(message.id)).toBeUndefined();

    const query = `?messageId=${encodeURIComponent(message.id)}&eventId=${encodeURIComponent(message.eventId)}`;
    const params = { MessageSid: sent?.providerMessageId ?? '', MessageStatus: 'undelivered', ErrorCode: '30005', AccountSid: account.sid, To: message.recipient.phone ?? '', From: '+15005550006', ApiVersion: '2010-04-01' };
    expect((await post(query, params)).status).toBe(204);
    // Written before the status was published (the 204 came after both).
    expect(await worker.worker.ledger.getFailed(message.id)).toMatchObject({ state: 'undelivered', code: '30005', provider: 'twilio', recipient: { phone: message.recipient.phone }, message: { id: message.id, text: (message as { text: string }).text } });
    await waitFor(() => statusesOf(statuses.records, message.id).some((s) => s.status === 'undelivered'), { timeoutMs: 20_000, message: 'an undelivered status' });

    // The original redelivered (a rebalance, a replay): its claim still says sent, so Twilio is not asked again.
    await produceMessages(producer, b.topics.sms, [message]);
    await waitFor(() => statusesOf(statuses.records, message.id).filter((s) => s.status === 'sent').length >= 2, { timeoutMs: 30_000, message: 'the repeated sent status' });
    expect(server.requestCount(message.id)).toBe(1);
  });
});
