import { simpleParser } from 'mailparser';
import { composeMime, type ComposedMail } from '../src/adapters/mime';

const mail: ComposedMail = {
  from: { name: 'Văn phòng Thành ủy', address: 'thongbao@danang.gov.vn' },
  to: { name: 'Nguyễn Văn An', address: 'nvan@danang.gov.vn' },
  subject: '[KHẨN] Giấy mời: Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 12 (mở rộng)',
  text: 'Kính gửi đồng chí Nguyễn Văn An,\n\nVăn phòng Thành ủy trân trọng kính mời đồng chí dự Hội nghị.',
  html: '<p>Kính gửi đồng chí <b>Nguyễn Văn An</b>,</p><p>Trân trọng kính mời.</p>',
  messageId: '<m-0123456789abcdef@danang.gov.vn>',
  date: new Date('2025-09-26T01:00:00Z'),
  headers: { 'X-Gateway-Message-Id': 'm-0123456789abcdef', 'Auto-Submitted': 'auto-generated' },
  calendar: { method: 'REQUEST', ics: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Hội nghị Ban Chấp hành\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', filename: 'invite.ics' },
};

describe('composing a notification email (without MailComposer streams)', () => {
  it('when parsed back by a mail client library, then every Vietnamese header and part is intact and the calendar request is there', async () => {
    const parsed = await simpleParser(composeMime(mail));
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Văn phòng Thành ủy', address: 'thongbao@danang.gov.vn' });
    expect(Array.isArray(parsed.to) ? undefined : parsed.to?.value[0]).toMatchObject({ name: 'Nguyễn Văn An', address: 'nvan@danang.gov.vn' });
    expect(parsed.text?.trim()).toBe(mail.text);
    expect(parsed.html).toContain('<b>Nguyễn Văn An</b>');
    expect(parsed.messageId).toBe(mail.messageId);
    expect(parsed.date?.toISOString()).toBe('2025-09-26T01:00:00.000Z');
    expect(parsed.headers.get('x-gateway-message-id')).toBe('m-0123456789abcdef');
    const ics = parsed.attachments.find((a) => a.contentType === 'text/calendar' || a.filename === 'invite.ics');
    expect(ics?.content.toString('utf8')).toContain('SUMMARY:Hội nghị Ban Chấp hành');
    expect(composeMime(mail).toString('latin1')).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
  });

  it('when built twice (a retry), then the bytes are the same', () => {
    expect(composeMime(mail).equals(composeMime(mail))).toBe(true);
  });

  it('when there is no calendar part, then the message is a plain multipart/alternative', async () => {
    const raw = composeMime({ ...mail, calendar: undefined });
    expect(raw.toString('latin1')).toMatch(/^Content-Type: multipart\/alternative;/m);
    const parsed = await simpleParser(raw);
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.subject).toBe(mail.subject);
  });

  it('when a subject or a name carries a line break, then it cannot start a header of its own', async () => {
    const raw = composeMime({ ...mail, subject: 'Họp\r\nBcc: attacker@example.com', to: { name: 'An\nBcc: x@example.com', address: 'nvan@danang.gov.vn' } });
    const parsed = await simpleParser(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.subject).toBe('Họp Bcc: attacker@example.com');
  });
});
