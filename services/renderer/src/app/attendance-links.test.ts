import { loadExample, parseEvent, withPrefix, type GatewayEvent, type SmsMessage, type EmailMessage, type InappMessage } from '@gateway/contracts';
import { createMemoryLinkStore, linkCode } from '@gateway/attendance';
import { createMemorySubjectVersions } from '@gateway/delivery-ledger';
import { realRenderer, variant } from '../../test/render-support';
import { processEvent, type ProcessorDeps } from './process-event';

const SECRET = 'renderer-unit-secret-renderer-unit-secret';
const topics = withPrefix('attendance-links-unit');

function parsed(name: 'meeting-scheduled-hoi-nghi-bch' | 'meeting-cancelled'): GatewayEvent {
  const result = parseEvent(loadExample(name));
  if (!result.ok) throw new Error(`example ${name} does not parse`);
  return result.event;
}

function deps(links = createMemoryLinkStore(), sequence = 0): ProcessorDeps {
  return {
    directory: { getPeople: async () => new Map(), getGroupsMembers: async () => new Map() },
    sequences: { sequenceFor: async () => ({ sequence, first: true }) },
    versions: createMemorySubjectVersions(),
    renderer: realRenderer(),
    topics,
    attendance: { links, secret: SECRET, publicBaseUrl: 'https://tb.danang.gov.vn' },
    now: () => new Date('2025-09-25T08:30:01.000Z'),
  };
}

function messages<T>(records: Awaited<ReturnType<typeof processEvent>>['records'], topic: string): T[] {
  return records.filter((r) => r.topic === topic).map((r) => JSON.parse(r.value.toString('utf8')) as T);
}

describe('personal attendance links in invitations', () => {
  it('when a meeting requires confirmation, then each SMS, email and in-app item carries the person\'s own short link, and the store maps it back', async () => {
    const event = parsed('meeting-scheduled-hoi-nghi-bch');
    const links = createMemoryLinkStore();
    const { records } = await processEvent(event, 'corr-1', deps(links));
    const code = linkCode(SECRET, { source: event.source, meetingId: 'vptu-hop-2025-0512', personId: 'nguyen-van-an' });
    const url = `https://tb.danang.gov.vn/x/${code}`;
    const mine = <T extends { recipient: { id: string } }>(list: T[]) => list.filter((m) => m.recipient.id === 'nguyen-van-an');
    for (const sms of mine(messages<SmsMessage>(records, topics.sms))) expect(sms.text).toContain(`tai: ${url}`);
    for (const email of mine(messages<EmailMessage>(records, topics.email))) {
      expect(email.text).toContain(`Đề nghị đồng chí xác nhận tham dự tại: ${url}`);
      expect(email.html).toContain(`<a href="${url}">`);
      expect(email.calendar?.ics).toContain('RSVP=FALSE');
    }
    for (const item of mine(messages<InappMessage>(records, topics.inapp))) expect(item.body).toContain(url);
    // Every SMS has its own link, whole.
    const smsTexts = messages<SmsMessage>(records, topics.sms);
    expect(smsTexts.length).toBeGreaterThan(1);
    expect(new Set(smsTexts.map((m) => /\/x\/([0-9A-Za-z]{12})\b/.exec(m.text)?.[1])).size).toBe(smsTexts.length);
    expect(await links.link(code)).toEqual({ code, source: event.source, meetingId: 'vptu-hop-2025-0512', personId: 'nguyen-van-an', expiresAt: '2025-09-29T04:30:00.000Z' });
    const meeting = await links.meeting(event.source, 'vptu-hop-2025-0512');
    expect(meeting).toMatchObject({ version: 0, cancelled: false, timeText: 'từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 29/9/2025' });
    expect(meeting?.invitees.map((i) => i.personId)).toContain('nguyen-van-an');
  });

  it('when a meeting requires no confirmation, then no link is made and nothing is stored', async () => {
    const event = variant('meeting-scheduled-hoi-nghi-bch', (data) => {
      data.confirmationRequired = false;
    });
    const links = createMemoryLinkStore();
    const { records } = await processEvent(event, 'corr-1', deps(links));
    for (const sms of messages<SmsMessage>(records, topics.sms)) expect(sms.text).not.toContain('/x/');
    expect(await links.meeting(event.source, 'vptu-hop-2025-0512')).toBeUndefined();
  });

  it('when a meeting that asked for confirmation is cancelled, then its summary says so and the cancellation carries no link', async () => {
    const scheduled = parsed('meeting-scheduled-hoi-nghi-bch');
    const links = createMemoryLinkStore();
    await processEvent(scheduled, 'corr-1', deps(links));
    const cancelled = variant('meeting-cancelled', (data, e) => {
      data.meetingId = 'vptu-hop-2025-0512';
      e.source = scheduled.source;
    });
    const { records } = await processEvent(cancelled, 'corr-2', deps(links, 1));
    for (const sms of messages<SmsMessage>(records, topics.sms)) expect(sms.text).not.toContain('/x/');
    expect(await links.meeting(scheduled.source, 'vptu-hop-2025-0512')).toMatchObject({ cancelled: true, version: 1 });
  });
});
