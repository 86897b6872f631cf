import { loadExample, parseEvent } from '@gateway/contracts';
import { messageIdFor, summaryFor } from './process-event';

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
