import { loadExample, parseEvent, withPrefix, type ChannelMessage, type DeliveryStatus } from '@gateway/contracts';
import { createMemorySubjectVersions, type SubjectVersions } from '@gateway/delivery-ledger';
import { realRenderer, rendererWithSmsCap, variant } from '../../test/render-support';
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
    versions: createMemorySubjectVersions(),
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

describe('processEvent (the subject and version the workers supersede by)', () => {
  const topics = withPrefix('process-event-subjects');
  const deps = (versions: SubjectVersions, sequence: number): ProcessorDeps => ({
    directory: { getPeople: async () => new Map(), getGroupsMembers: async () => new Map() },
    sequences: { sequenceFor: async () => ({ sequence, first: true }) },
    versions,
    renderer: realRenderer(),
    topics,
    now: () => new Date('2025-09-25T08:30:01.000Z'),
  });
  const messages = (records: Array<{ topic: string; value: Buffer }>): ChannelMessage[] =>
    records.filter((r) => r.topic !== topics.status).map((r) => JSON.parse(r.value.toString('utf8')) as ChannelMessage);

  it('when a meeting change is rendered, then every message names the meeting and its SEQUENCE, and the latest version is raised to it', async () => {
    const versions = createMemorySubjectVersions();
    const event = parsed('meeting-updated-chuyen-chieu');
    const { records } = await processEvent(event, 'corr-1', deps(versions, 3));
    const rendered = messages(records);
    expect(rendered.length).toBeGreaterThan(0);
    for (const m of rendered) expect(m.about).toEqual({ kind: 'meeting', source: 'vpthanhuy-lichhop', id: 'vptu-hop-2025-0518', version: 3 });
    expect(await versions.latest({ kind: 'meeting', source: 'vpthanhuy-lichhop', id: 'vptu-hop-2025-0518' })).toEqual({ version: 3 });
  });

  it('when a document is recalled, then it is recorded recalled; a new dispatch under its id clears that', async () => {
    const versions = createMemorySubjectVersions();
    const document = { kind: 'document', source: 'vpthanhuy-vanban', id: 'vb-2025-tu-130' } as const;
    const { records } = await processEvent(parsed('document-recalled'), 'corr-2', deps(versions, 0));
    for (const m of messages(records)) expect(m.about).toEqual(document);
    expect(await versions.latest(document)).toEqual({ recalled: true });
    const again = variant('document-dispatched-hoa-toc', (data) => {
      data.documentId = 'vb-2025-tu-130';
    });
    await processEvent(again, 'corr-3', deps(versions, 0));
    expect(await versions.latest(document)).toEqual({ recalled: false });
  });
});
