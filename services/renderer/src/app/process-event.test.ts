import { loadExample, parseEvent, withPrefix, type DeliveryStatus } from '@gateway/contracts';
import { rendererWithSmsCap, variant } from '../../test/render-support';
import { messageIdFor, processEvent, summaryFor, type ProcessorDeps } from './process-event';

function parsed(name: string) {
  const result = parseEvent(loadExample(name));
  if (!result.ok) throw new Error(`example ${name} does not parse`);
  return result.event;
}

describe('summaryFor (the recipient summary on a message\'s first status)', () => {
  it('when a meeting reaches a person, then the summary names them with phone and email, the source and the urgency, and no secrecy', () => {
    const event = parsed('meeting-scheduled-hoi-nghi-bch');
    const summary = summaryFor(event, { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905000001', email: 'nvan@danang.gov.vn', title: 'Phó Chánh Văn phòng', via: 'inline', source: 'inline' });
    expect(summary).toEqual({ recipient: { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905000001', email: 'nvan@danang.gov.vn' }, eventType: 'meeting.scheduled', source: event.source, urgency: event.data.urgency });
  });

  it('when a classified document reaches a person without a phone, then the summary carries its secrecy and no phone', () => {
    const event = parsed('document-dispatched-mat');
    const summary = summaryFor(event, { id: 'le-thi-dung', name: 'Lê Thị Dung', email: 'ltdung@danang.gov.vn', via: 'inline', source: 'inline' });
    expect(summary.recipient).toEqual({ id: 'le-thi-dung', name: 'Lê Thị Dung', email: 'ltdung@danang.gov.vn' });
    expect(summary.secrecy).toBe('mat');
  });
});

describe('messageIdFor (the id every copy of a message shares)', () => {
  it('when two senders use the same event id, then their messages get different ids; the same sender again gets the same id', () => {
    const a = messageIdFor('vpthanhuy-lichhop', 'H-2025-001', 'nguyen-van-an', 'sms');
    expect(a).toMatch(/^m-[0-9a-f]{32}$/);
    expect(messageIdFor('vpthanhuy-lichhop', 'H-2025-001', 'nguyen-van-an', 'sms')).toBe(a);
    expect(messageIdFor('ubnd-lichhop', 'H-2025-001', 'nguyen-van-an', 'sms')).not.toBe(a);
    expect(messageIdFor('vpthanhuy-lichhop', 'H-2025-001', 'nguyen-van-an', 'email')).not.toBe(a);
    expect(messageIdFor('vpthanhuy-lichhop', 'H-2025-002', 'nguyen-van-an', 'sms')).not.toBe(a);
  });
});

describe('processEvent (the rendered status of an SMS over its cap)', () => {
  const topics = withPrefix('process-event-unit');
  const deps = (): ProcessorDeps => ({
    // The document's recipients are written inline: the directory is never asked.
    directory: { getPeople: async () => new Map(), getGroupsMembers: async () => new Map() },
    sequences: { sequenceFor: async () => ({ sequence: 0, first: true }) },
    renderer: rendererWithSmsCap(1),
    topics,
    now: () => new Date('2025-09-25T08:30:01.000Z'),
  });
  const smsStatuses = async (link: string): Promise<DeliveryStatus[]> => {
    const event = variant('document-dispatched-hoa-toc', (data) => {
      data.link = link;
    });
    const { records } = await processEvent(event, 'corr-1', deps());
    const statuses = records.filter((r) => r.topic === topics.status).map((r) => JSON.parse(r.value.toString('utf8')) as DeliveryStatus);
    return statuses.filter((s) => s.channel === 'sms' && s.status === 'rendered');
  };

  it('when the link alone does not fit the cap, then the SMS is rendered over it and its status says why', async () => {
    const statuses = await smsStatuses(`https://vanban.danang.gov.vn/van-ban/${'a1b2c3d4'.repeat(20)}`);
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s.reason).toMatch(/^SMS dài 2 tin, vượt giới hạn 1 tin của mẫu: đường dẫn, thời gian và số hiệu không được cắt/);
  });

  it('when the SMS fits its cap, then its rendered status carries no reason', async () => {
    const statuses = await smsStatuses('https://vanban.danang.gov.vn/van-ban/vb-1');
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s.reason).toBeUndefined();
  });
});
