import type { DeliveryStatus } from '@gateway/contracts';
import { attemptHistory } from '../entry-points/http';
import { applyToRecord, foldText, matchesRecipient, searchText, type NotificationRecord } from './notification';
import { plainReason } from './reasons';
import { buildEventReport, chooseSender, sendersOf } from './report';
import { resendState } from './resend-chain';

const base = { messageId: 'm', eventId: 'e', channel: 'sms' as const };

describe('recipient matching', () => {
  it('when names are typed without diacritics or in another case, and phones in national form with spaces, then they match', () => {
    expect(foldText('Đặng Thị Ỷ Lan')).toBe('dang thi y lan');
    const text = searchText({ recipient: { id: 'an', name: 'Nguyễn Văn Ân', phone: '+84905123456', email: 'NVAn@DaNang.gov.vn' }, eventType: 'meeting.scheduled' });
    for (const q of ['nguyen van an', 'NGUYỄN', 'văn ân', '0905 123 456', '+84 905 123 456', '905.123', 'nvan@danang']) expect([q, matchesRecipient(text, q)]).toEqual([q, true]);
    for (const q of ['tran', '0912', '777']) expect([q, matchesRecipient(text, q)]).toEqual([q, false]);
  });
});

describe('applyToRecord (the memory adapter\'s transition rule)', () => {
  it('when a new attempt starts after a final state (a resend of the same id), then it moves; an older echo does not', () => {
    let r: NotificationRecord | undefined;
    const apply = (s: Partial<DeliveryStatus> & Pick<DeliveryStatus, 'status' | 'at'>) => (r = applyToRecord(r, { ...base, ...s }));
    apply({ status: 'sending', attempt: 1, at: '2025-09-29T01:00:00Z' });
    apply({ status: 'failed', attempt: 1, at: '2025-09-29T01:00:01Z', error: { class: 'permanent', code: '21211', message: 'x' } });
    apply({ status: 'sending', attempt: 1, at: '2025-09-29T01:00:00Z' });
    expect(r?.status).toBe('failed');
    apply({ status: 'sending', attempt: 2, at: '2025-09-29T01:05:00Z' });
    expect(r).toMatchObject({ status: 'sending', attempts: 2, lastError: { code: '21211' } });
  });
});

describe('plainReason', () => {
  it('when a provider code is known, then the reason is plain Vietnamese; otherwise by state', () => {
    expect(plainReason({ status: 'failed', attempts: 1, lastError: { class: 'permanent', code: '21211', message: '' } })).toMatch(/^Số điện thoại không đúng/);
    expect(plainReason({ status: 'failed', attempts: 1, lastError: { class: 'permanent', code: '550', message: '' } })).toMatch(/Địa chỉ email không tồn tại/);
    expect(plainReason({ status: 'dead', attempts: 8 })).toMatch(/suốt 8 lần thử/);
    expect(plainReason({ status: 'undelivered', attempts: 1 })).toMatch(/Nhà mạng báo không chuyển được/);
    expect(plainReason({ status: 'undelivered', attempts: 1, lastError: { class: 'permanent', code: '30005', message: '' } })).toMatch(/^Số điện thoại không tồn tại hoặc không còn hoạt động/);
    expect(plainReason({ status: 'skipped', attempts: 0, reason: 'không có số điện thoại / no phone number' })).toBe('Không gửi: không có số điện thoại / no phone number');
    expect(plainReason({ status: 'sent', attempts: 1 })).toBeUndefined();
  });
});

describe('buildEventReport', () => {
  const rec = (id: string, person: string, channel: NotificationRecord['channel'], status: NotificationRecord['status'], extra: Partial<NotificationRecord> = {}): NotificationRecord => ({
    messageId: id, eventId: 'e', channel, status, attempts: 1, firstSeenAt: '2025-09-29T01:00:00Z', updatedAt: '2025-09-29T01:00:00Z',
    summary: { recipient: { id: person, name: person.toUpperCase() }, eventType: 'meeting.scheduled' }, ...extra,
  });
  it('when a meeting\'s messages are grouped, then each person lists every channel, a successful resend counts as reached, and the rest are unreached', () => {
    const records = [rec('1', 'an', 'sms', 'failed'), rec('2', 'an', 'sms', 'sent', { resendOf: '1', firstSeenAt: '2025-09-29T01:05:00Z' }), rec('3', 'binh', 'sms', 'dead'), rec('4', 'binh', 'email', 'skipped'), rec('5', 'cuong', 'inapp', 'read')];
    const report = buildEventReport('e', records, new Map([['1', resendState(records[0] as NotificationRecord, { messageId: '2', status: 'sent' })]]));
    // The original and its resend are one notification, counted by the resend's state.
    expect(report).toMatchObject({ total: 4, counts: { failed: 0, sent: 1, dead: 1, skipped: 1, read: 1 } });
    expect(report.unreached).toEqual([{ id: 'binh', name: 'BINH' }]);
    expect(report.recipients.find((p) => p.id === 'an')?.channels).toEqual([
      expect.objectContaining({ messageId: '1', status: 'failed', resentAs: { messageId: '2', status: 'sent' }, resendable: false }),
      expect.objectContaining({ messageId: '2', status: 'sent', resendOf: '1', resendable: false }),
    ]);
  });
  it('when the event is a document, then no unreached list is made', () => {
    const doc = rec('1', 'an', 'sms', 'failed', { summary: { recipient: { id: 'an', name: 'An' }, eventType: 'document.dispatched' } });
    expect(buildEventReport('e', [doc]).unreached).toBeUndefined();
  });
});

describe('which sender an event report is about', () => {
  const record = (messageId: string, source?: string): NotificationRecord => ({
    messageId, eventId: 'H-2025-001', channel: 'sms', status: 'sent', attempts: 1, firstSeenAt: '2025-09-29T08:00:00+07:00', updatedAt: '2025-09-29T08:00:00+07:00',
    ...(source ? { summary: { recipient: { id: 'a', name: 'A' }, eventType: 'meeting.scheduled', source } } : {}),
  });

  it('when two senders used one event id, then both are named and the caller must choose, unless it asked or its key sends as only one of them', () => {
    const senders = sendersOf([record('1', 'lichhop-b'), record('2', 'lichhop-a'), record('3', 'lichhop-b'), record('4')]);
    expect(senders).toEqual(['lichhop-a', 'lichhop-b']);
    expect(chooseSender(senders, undefined, undefined)).toEqual({ kind: 'ambiguous', senders });
    expect(chooseSender(senders, 'lichhop-b', undefined)).toEqual({ kind: 'one', source: 'lichhop-b' });
    expect(chooseSender(senders, undefined, new Set(['lichhop-a']))).toEqual({ kind: 'one', source: 'lichhop-a' });
    expect(chooseSender(senders, undefined, new Set(['lichhop-a', 'lichhop-b']))).toEqual({ kind: 'ambiguous', senders });
  });

  it('when one sender used the id, then the report is its own without asking', () => {
    expect(chooseSender(sendersOf([record('1', 'lichhop-a'), record('2')]), undefined, undefined)).toEqual({ kind: 'one', source: 'lichhop-a' });
    expect(chooseSender(sendersOf([record('1')]), undefined, undefined)).toEqual({ kind: 'one', source: undefined });
  });
});

describe('attemptHistory', () => {
  it('when a message was retried and then failed, then each attempt has its start, outcome, provider, answer and error class, the last with the provider\'s full answer', () => {
    const history: DeliveryStatus[] = [
      { ...base, status: 'sending', attempt: 1, at: '2025-09-29T01:00:00Z' },
      { ...base, status: 'retrying', attempt: 1, at: '2025-09-29T01:00:01Z', provider: 'esms', nextAttemptAt: '2025-09-29T01:00:11Z', error: { class: 'transient', code: '99', message: 'try later' } },
      { ...base, status: 'sending', attempt: 2, at: '2025-09-29T01:00:11Z' },
      { ...base, status: 'failed', attempt: 2, at: '2025-09-29T01:00:12Z', provider: 'esms', error: { class: 'permanent', code: '145', message: 'template' } },
    ];
    expect(attemptHistory(history, '{"CodeResult":"145"}')).toEqual([
      { attempt: 1, startedAt: '2025-09-29T01:00:00Z', at: '2025-09-29T01:00:01Z', outcome: 'retrying', provider: 'esms', answer: 'try later', errorClass: 'transient', code: '99', nextAttemptAt: '2025-09-29T01:00:11Z' },
      { attempt: 2, startedAt: '2025-09-29T01:00:11Z', at: '2025-09-29T01:00:12Z', outcome: 'failed', provider: 'esms', answer: '{"CodeResult":"145"}', errorClass: 'permanent', code: '145' },
    ]);
  });
});
