import express from 'express';
import request from 'supertest';
import { withPrefix, type DeliveryStatus } from '@gateway/contracts';
import { createLogger } from '@gateway/common';
import { twilioSignature } from '../adapters/twilio-signature';
import { createTwilioCallbackRouter, type TwilioCallbackOptions } from './twilio-callbacks';

const PUBLIC_URL = 'https://thongbao.example.gov.vn/v1/callbacks/twilio';
const TOKEN = 'twilio-test-token';

function app(onUndelivered: TwilioCallbackOptions['onUndelivered']) {
  const published: DeliveryStatus[] = [];
  const a = express();
  a.use('/v1/callbacks/twilio', createTwilioCallbackRouter({ authToken: TOKEN, publicUrl: PUBLIC_URL, topics: withPrefix('t'), publish: async (r) => void published.push(JSON.parse(r.value) as DeliveryStatus), onUndelivered, logger: createLogger({ name: 'test', level: 'silent' }) }));
  return { app: a, published };
}

const query = '?messageId=m-1&eventId=evt-1';
const params = { MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30005', AccountSid: 'AC1', To: '+84905000001', From: '+15005550006', ApiVersion: '2010-04-01' };
const post = (a: express.Express) =>
  request(a).post(`/v1/callbacks/twilio${query}`).set('x-twilio-signature', twilioSignature(TOKEN, PUBLIC_URL + query, params)).type('form').send(params);

describe('Twilio status callback: an undelivered report', () => {
  it('when it comes, then the copy is kept first, with the carrier code, and then the status is published', async () => {
    const order: string[] = [];
    const t = app(async (id, report) => {
      order.push(`copy:${id}:${report.code}:${report.provider}`);
      return {};
    });
    const publish = t.published;
    const res = await post(t.app);
    expect(res.status).toBe(204);
    order.push(...publish.map((s) => `status:${s.messageId}:${s.status}`));
    expect(order).toEqual(['copy:m-1:30005:twilio', 'status:m-1:undelivered']);
  });

  it('when the copy cannot be kept (Redis down), then the status is still published: Twilio does not call again after a 5xx', async () => {
    const t = app(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')));
    const res = await post(t.app);
    expect(res.status).toBe(204);
    expect(t.published).toEqual([expect.objectContaining({ messageId: 'm-1', status: 'undelivered', error: expect.objectContaining({ code: '30005' }) })]);
  });
});
