import { DATE_TIME_MESSAGE, URL_MESSAGE } from './primitives';
import { parseEvent } from './parse';
import { example, issuesOf, messagesAt, type JsonObject } from '../../test/support';

function parsedData(event: JsonObject): Record<string, unknown> {
  const result = parseEvent(event);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.event.data as Record<string, unknown>;
}

describe('meeting events', () => {
  describe('times', () => {
    it('when start has no UTC offset, then it is refused at data.start with the expected format', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.start = '2025-09-29T08:00:00';
      expect(issuesOf(event)).toEqual([{ path: 'data.start', message: DATE_TIME_MESSAGE }]);
      expect(DATE_TIME_MESSAGE).toBe(
        'must be an ISO 8601 date-time with a UTC offset, e.g. 2025-09-29T08:00:00+07:00',
      );
    });

    it.each([
      ['a date only', '2025-09-29'],
      ['no seconds', '2025-09-29T08:00+07:00'],
      ['an offset without colon', '2025-09-29T08:00:00+0700'],
      ['a space instead of T', '2025-09-29 08:00:00+07:00'],
      ['a day that does not exist', '2025-02-30T08:00:00+07:00'],
      ['a Vietnamese-style date', '29/09/2025 08:00'],
    ])('when end is %s, then it is refused', (_label, end) => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.end = end;
      expect(messagesAt(issuesOf(event), 'data.end')).toEqual([DATE_TIME_MESSAGE]);
    });

    it('when times are in UTC (Z) or carry fractions of a second, then they are accepted as written', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.start = '2025-09-29T01:00:00Z';
      data.end = '2025-09-29T04:30:00.000Z';
      expect(parsedData(event)).toMatchObject({ start: '2025-09-29T01:00:00Z', end: '2025-09-29T04:30:00.000Z' });
    });

    it('when end is before start, then data.end says it must be after start', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.end = '2025-09-29T07:00:00+07:00';
      expect(issuesOf(event)).toEqual([{ path: 'data.end', message: 'must be after start' }]);
    });

    it('when end equals start, then it is refused too', () => {
      const { event, data } = example('meeting-updated-chuyen-chieu');
      data.end = data.start as string;
      expect(messagesAt(issuesOf(event), 'data.end')).toEqual(['must be after start']);
    });

    it('when start and end use different offsets, then they are compared as instants', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.start = '2025-09-29T08:00:00+07:00';
      data.end = '2025-09-29T02:30:00Z';
      expect(parseEvent(event).ok).toBe(true);
      data.end = '2025-09-29T00:30:00Z';
      expect(messagesAt(issuesOf(event), 'data.end')).toEqual(['must be after start']);
    });

    it('when start itself is invalid, then end is not also reported as before it', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.start = 'sáng thứ Hai';
      expect(issuesOf(event)).toEqual([{ path: 'data.start', message: DATE_TIME_MESSAGE }]);
    });
  });

  describe('place', () => {
    it('when there is neither a location nor an online link, then data.location says one is required', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      delete data.location;
      delete data.onlineLink;
      expect(issuesOf(event)).toEqual([
        {
          path: 'data.location',
          message: 'required when there is no onlineLink: give a location, an onlineLink, or both',
        },
      ]);
    });

    it('when there is only an online link, then the meeting is accepted', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      delete data.location;
      expect(parseEvent(event).ok).toBe(true);
    });

    it('when there is only a location, then the meeting is accepted', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      delete data.onlineLink;
      expect(parseEvent(event).ok).toBe(true);
    });

    it('when the online link is not an http(s) URL, then only that field is reported', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      delete data.location;
      data.onlineLink = 'javascript:alert(1)';
      expect(issuesOf(event)).toEqual([{ path: 'data.onlineLink', message: URL_MESSAGE }]);
    });

    it('when the location is blank, then it is refused as empty', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.location = '   ';
      expect(issuesOf(event)).toEqual([{ path: 'data.location', message: 'must not be empty' }]);
    });
  });

  describe('participants', () => {
    it('when a participant has a bad phone, then the issue names that exact field and why', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      ((data.participants as JsonObject[])[2] as JsonObject).phone = '0123456789';
      const issues = issuesOf(event);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe('data.participants[2].phone');
      expect(issues[0]?.message).toMatch(/not a valid Vietnamese mobile or phone number/);
    });

    it('when a participant has a bad email, then the issue names that exact field', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      ((data.participants as JsonObject[])[1] as JsonObject).email = 'ttthuha@danang';
      expect(issuesOf(event)).toEqual([
        { path: 'data.participants[1].email', message: 'must be an email address, e.g. nguyenvana@danang.gov.vn' },
      ]);
    });

    it('when phones and emails are written loosely, then they are normalized', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      const person = (data.participants as JsonObject[])[0] as JsonObject;
      person.phone = '0905 123 456';
      person.email = '  NVAn@DaNang.Gov.VN ';
      const participants = parsedData(event).participants as Array<Record<string, unknown>>;
      expect(participants[0]).toMatchObject({ phone: '+84905123456', email: 'NVAn@danang.gov.vn' });
    });

    it('when the participant list is empty, then it must have at least one entry', () => {
      const { event, data } = example('meeting-cancelled');
      data.participants = [];
      expect(issuesOf(event)).toEqual([{ path: 'data.participants', message: 'must have at least 1 entry' }]);
    });

    it('when participants is misspelled, then the typo is an unknown field with a suggestion', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.partcipants = data.participants as JsonObject[];
      delete data.participants;
      expect(issuesOf(event)).toEqual([
        { path: 'data.participants', message: 'required' },
        { path: 'data.partcipants', message: 'unknown field (did you mean "participants"?)' },
      ]);
    });
  });

  describe('changes and cancellations', () => {
    it('when a cancellation has no reason, then data.reason is required', () => {
      const { event, data } = example('meeting-cancelled');
      delete data.reason;
      expect(issuesOf(event)).toEqual([{ path: 'data.reason', message: 'required' }]);
    });

    it('when an update has no reason, then data.reason is required', () => {
      const { event, data } = example('meeting-updated-chuyen-chieu');
      delete data.reason;
      expect(issuesOf(event)).toEqual([{ path: 'data.reason', message: 'required' }]);
    });

    it('when an invitation carries previous values, then previous is an unknown field', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.previous = { start: '2025-09-29T07:00:00+07:00' };
      expect(issuesOf(event)).toEqual([{ path: 'data.previous', message: 'unknown field' }]);
    });

    it('when previous is empty or has a bad time, then the update is refused at that path', () => {
      const { event, data } = example('meeting-updated-chuyen-chieu');
      data.previous = {};
      expect(issuesOf(event)).toEqual([
        { path: 'data.previous', message: 'must contain at least one of start, end, location, onlineLink' },
      ]);
      data.previous = { start: '2025-09-30T08:00:00', room: 'P.301' };
      expect(issuesOf(event)).toEqual([
        { path: 'data.previous.start', message: DATE_TIME_MESSAGE },
        { path: 'data.previous.room', message: 'unknown field' },
      ]);
    });
  });

  describe('defaults and shapes', () => {
    it('when confirmationRequired and urgency are omitted, then they default to false and thuong', () => {
      const { event, data } = example('meeting-cancelled');
      delete data.confirmationRequired;
      delete data.urgency;
      expect(parsedData(event)).toMatchObject({ confirmationRequired: false, urgency: 'thuong' });
    });

    it('when urgency is written in Vietnamese, then it is normalized to the slug', () => {
      const { event, data } = example('meeting-cancelled');
      data.urgency = 'Thượng khẩn';
      expect(parsedData(event).urgency).toBe('thuong-khan');
    });

    it('when agenda is a single text, then it is accepted as written', () => {
      const { event } = example('meeting-updated-chuyen-chieu');
      expect(typeof parsedData(event).agenda).toBe('string');
    });

    it('when an agenda item is not text, then that item is reported', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.agenda = ['Khai mạc', 42];
      expect(issuesOf(event)).toEqual([{ path: 'data.agenda[1]', message: 'must be a string, got a number' }]);
    });

    it('when agenda is neither text nor a list, then it says which shapes are accepted', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.agenda = { item: 'Khai mạc' };
      expect(issuesOf(event)).toEqual([{ path: 'data.agenda', message: 'must be a string or an array of strings' }]);
    });

    it('when an attachment has no url, then the attachment field is reported', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      delete ((data.attachments as JsonObject[])[1] as JsonObject).url;
      expect(issuesOf(event)).toEqual([{ path: 'data.attachments[1].url', message: 'required' }]);
    });

    it('when many fields are wrong at once, then every one of them is listed', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      event.occurredAt = '2025-09-25 15:30';
      data.title = '';
      data.start = '2025-09-29T08:00:00';
      data.confirmationRequired = 'có';
      ((data.participants as JsonObject[])[3] as JsonObject).phone = '01623456789';
      delete data.chair;
      data.signerName = 'Hồ Văn Đức';
      expect(issuesOf(event).map((issue) => issue.path)).toEqual([
        'occurredAt',
        'data.title',
        'data.chair',
        'data.start',
        'data.participants[3].phone',
        'data.confirmationRequired',
        'data.signerName',
      ]);
    });
  });
});
