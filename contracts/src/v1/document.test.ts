import { DATE_MESSAGE } from './primitives';
import { parseEvent } from './parse';
import { example, issuesOf, messagesAt } from '../../test/support';

function parsedData(event: unknown): Record<string, unknown> {
  const result = parseEvent(event);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.event.data as Record<string, unknown>;
}

describe('document events', () => {
  describe('urgency and secrecy', () => {
    it.each([
      ['Hỏa tốc', 'hoa-toc'],
      ['hoả tốc', 'hoa-toc'],
      ['HỎA TỐC', 'hoa-toc'],
      ['Hoả Tốc', 'hoa-toc'],
      ['hoa-toc', 'hoa-toc'],
      ['Thượng khẩn', 'thuong-khan'],
      ['  thượng   khẩn ', 'thuong-khan'],
      ['Khẩn', 'khan'],
      ['thường', 'thuong'],
      ['Thường', 'thuong'],
    ])('when urgency is "%s", then it becomes %s', (given, expected) => {
      const { event, data } = example('document-dispatched-hoa-toc');
      data.urgency = given;
      expect(parsedData(event).urgency).toBe(expected);
    });

    it.each([
      ['Mật', 'mat'],
      ['MẬT', 'mat'],
      ['Tối mật', 'toi-mat'],
      ['tuyệt mật', 'tuyet-mat'],
      ['Tuyệt Mật', 'tuyet-mat'],
      ['thường', 'thuong'],
      ['toi-mat', 'toi-mat'],
    ])('when secrecy is "%s", then it becomes %s', (given, expected) => {
      const { event, data } = example('document-dispatched-mat');
      data.secrecy = given;
      expect(parsedData(event).secrecy).toBe(expected);
    });

    it('when urgency is written in decomposed Unicode (NFD), then it is still recognized', () => {
      const { event, data } = example('document-dispatched-hoa-toc');
      data.urgency = 'Hỏa tốc'.normalize('NFD');
      expect(parsedData(event).urgency).toBe('hoa-toc');
    });

    it.each(['rất khẩn', 'urgent', 'mát', 'hoatoc', ''])('when urgency is "%s", then it is refused listing the accepted values', (given) => {
      const { event, data } = example('document-dispatched-hoa-toc');
      data.urgency = given;
      expect(messagesAt(issuesOf(event), 'data.urgency')).toEqual([
        'must be one of thuong, khan, thuong-khan, hoa-toc (or the Vietnamese "Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc")',
      ]);
    });

    it('when a near-miss secrecy like "mát" is sent, then it is refused rather than read as mật', () => {
      const { event, data } = example('document-dispatched-mat');
      data.secrecy = 'mát';
      expect(messagesAt(issuesOf(event), 'data.secrecy')).toHaveLength(1);
    });

    it('when secrecy is missing, then it is required (never assumed ordinary)', () => {
      const { event, data } = example('document-dispatched-mat');
      delete data.secrecy;
      expect(issuesOf(event)).toEqual([{ path: 'data.secrecy', message: 'required' }]);
    });

    it('when urgency and direction are missing, then they default to thuong and den', () => {
      const { event, data } = example('document-dispatched-mat');
      delete data.urgency;
      delete data.direction;
      expect(parsedData(event)).toMatchObject({ urgency: 'thuong', direction: 'den' });
    });
  });

  describe('fields', () => {
    it('when the summary is missing on a dispatch, then it is required', () => {
      const { event, data } = example('document-dispatched-hoa-toc');
      delete data.summary;
      expect(issuesOf(event)).toEqual([{ path: 'data.summary', message: 'required' }]);
    });

    it('when a recall has no summary, then it is accepted', () => {
      const { event, data } = example('document-recalled');
      expect(data.summary).toBeUndefined();
      expect(parseEvent(event).ok).toBe(true);
    });

    it('when a recall has no reason, then data.reason is required', () => {
      const { event, data } = example('document-recalled');
      delete data.reason;
      expect(issuesOf(event)).toEqual([{ path: 'data.reason', message: 'required' }]);
    });

    it('when a dispatch carries a reason, then reason is an unknown field', () => {
      const { event, data } = example('document-dispatched-hoa-toc');
      data.reason = 'không cần';
      expect(issuesOf(event)).toEqual([{ path: 'data.reason', message: 'unknown field' }]);
    });

    it.each(['27/09/2025', '2025-9-27', '2025-09-31', '2025-09-27T08:00:00+07:00'])(
      'when issueDate is "%s", then it must be YYYY-MM-DD',
      (issueDate) => {
        const { event, data } = example('document-dispatched-hoa-toc');
        data.issueDate = issueDate;
        expect(issuesOf(event)).toEqual([{ path: 'data.issueDate', message: DATE_MESSAGE }]);
      },
    );

    it('when the deadline is a date or a date-time with offset, then both are accepted as written', () => {
      const { event, data } = example('document-dispatched-hoa-toc');
      data.deadline = '2025-10-03';
      expect(parsedData(event).deadline).toBe('2025-10-03');
      data.deadline = '2025-10-03T17:00:00+07:00';
      expect(parsedData(event).deadline).toBe('2025-10-03T17:00:00+07:00');
    });

    it('when the deadline is a local time without offset, then it is refused naming both accepted forms', () => {
      const { event, data } = example('document-dispatched-hoa-toc');
      data.deadline = '2025-10-03T17:00:00';
      expect(issuesOf(event)).toEqual([
        {
          path: 'data.deadline',
          message:
            'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a UTC offset, e.g. 2025-10-03T17:00:00+07:00',
        },
      ]);
    });

    it('when direction is not den or di, then it is refused', () => {
      const { event, data } = example('document-dispatched-mat');
      data.direction = 'đến';
      expect(issuesOf(event)).toEqual([
        { path: 'data.direction', message: 'must be den (văn bản đến, incoming) or di (văn bản đi, outgoing)' },
      ]);
    });

    it('when the link is missing or not a URL, then data.link is reported', () => {
      const { event, data } = example('document-dispatched-mat');
      delete data.link;
      expect(issuesOf(event)).toEqual([{ path: 'data.link', message: 'required' }]);
      data.link = 'vanban/vb-2025-den-1532';
      expect(messagesAt(issuesOf(event), 'data.link')).toHaveLength(1);
    });

    it('when a recipient reference has an unknown kind, then that entry is reported', () => {
      const { event, data } = example('document-dispatched-hoa-toc');
      (data.recipients as string[])[1] = 'unit:ubnd-phuong-hai-chau';
      expect(issuesOf(event)).toEqual([
        {
          path: 'data.recipients[1]',
          message: 'must be a reference like person:<id> or group:<id>, ids in a-z, 0-9, ".", "_", "-"',
        },
      ]);
    });

    it('when a document uses participants instead of recipients, then the mistake is pointed out', () => {
      const { event, data } = example('document-dispatched-hoa-toc');
      data.participants = data.recipients as string[];
      delete data.recipients;
      expect(issuesOf(event)).toEqual([
        { path: 'data.recipients', message: 'required' },
        { path: 'data.participants', message: 'unknown field' },
      ]);
    });
  });
});
