import type { EmailMessage } from '@gateway/contracts';
import { uniqueName } from '@gateway/tests/support/infra';
import type { SmtpSenderSettings } from '../src';
import type { TestSmtpServer } from './smtp-test-server';

export const SUBJECT = 'Giấy mời: Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3 (mở rộng)';
export const TEXT = 'Kính gửi đồng chí Nguyễn Văn An,\nVăn phòng Thành ủy trân trọng kính mời đồng chí dự Hội nghị lúc 08 giờ 00, Thứ Hai, ngày 29/9/2025 tại Hội trường Thành ủy.\nĐề nghị đồng chí xác nhận tham dự.';
const HTML = '<p>Kính gửi đồng chí <strong>Nguyễn Văn An</strong>,</p><p>Văn phòng Thành ủy trân trọng kính mời đồng chí dự Hội nghị lúc 08 giờ 00, Thứ Hai, ngày 29/9/2025 tại Hội trường Thành ủy.</p>';
export const UID = 'meeting-vptu-hop-2025-0512@lichhop.danang.gov.vn';
export const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//meeting-doc-notify-gateway//renderer//VI',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  `UID:${UID}`,
  'SEQUENCE:0',
  'DTSTAMP:20250925T083000Z',
  'DTSTART:20250929T010000Z',
  'DTEND:20250929T043000Z',
  'SUMMARY:Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3',
  'LOCATION:Hội trường Thành ủy\\, 08 Bạch Đằng\\, phường Hải Châu',
  'ORGANIZER;CN="Văn phòng Thành ủy Đà Nẵng":mailto:thongbao@danang.gov.vn',
  'ATTENDEE;RSVP=TRUE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN="Nguyễn Văn An":mailto:nvan@danang.gov.vn',
  'STATUS:CONFIRMED',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

/** A meeting invitation to Nguyễn Văn An with its calendar part; a new id on every call. */
export function emailMessage(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    id: `m-${uniqueName('mail').replace(/[^A-Za-z0-9-]/g, '')}`,
    eventId: 'evt-512-gm-tu',
    eventType: 'meeting.scheduled',
    correlationId: 'corr-1',
    createdAt: '2025-09-25T15:30:00+07:00',
    urgency: 'thuong',
    recipient: { id: 'nv-an', name: 'Nguyễn Văn An', email: 'nvan@danang.gov.vn' },
    attempt: 1,
    channel: 'email',
    subject: SUBJECT,
    html: HTML,
    text: TEXT,
    calendar: { method: 'REQUEST', uid: UID, sequence: 0, ics: ICS },
    ...overrides,
  };
}

/** A sender's settings for a loopback relay: plain SMTP, small pool, short timeouts. */
export function settingsFor(server: Pick<TestSmtpServer, 'port'>, overrides: Partial<SmtpSenderSettings> = {}): SmtpSenderSettings {
  return {
    host: '127.0.0.1',
    port: server.port,
    secure: false,
    requireTls: false,
    pool: { maxConnections: 2, maxMessages: 100 },
    timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 },
    from: '"Văn phòng Thành ủy Đà Nẵng" <thongbao@danang.gov.vn>',
    messageIdDomain: 'thongbao.danang.gov.vn',
    ...overrides,
  };
}
