import { EVENT_TYPES } from './event';
import { parseEvent } from './parse';
import { example, issuesOf, messagesAt, type JsonObject } from '../../test/support';

describe('parseEvent', () => {
  describe('event type', () => {
    it('when type is a string that is not a known event type, then the kind is unknown-type', () => {
      const { event } = example('meeting-cancelled');
      event.type = 'meeting.rescheduled';
      expect(parseEvent(event)).toEqual({
        ok: false,
        kind: 'unknown-type',
        issues: [{ path: 'type', message: `unknown event type "meeting.rescheduled"; known types: ${EVENT_TYPES.join(', ')}` }],
      });
    });

    it.each(['Meeting.Scheduled', '', 'meeting.scheduled ', 'toString', '__proto__'])(
      'when type is "%s", then it is an unknown type too',
      (type) => {
        const { event } = example('meeting-scheduled-hoi-nghi-bch');
        event.type = type;
        expect(parseEvent(event)).toMatchObject({ ok: false, kind: 'unknown-type' });
      },
    );

    it('when the unknown type is huge, then the message quotes only its start', () => {
      const { event } = example('meeting-scheduled-hoi-nghi-bch');
      event.type = 'x'.repeat(100_000);
      const result = parseEvent(event);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues[0]?.message.length).toBeLessThan(300);
    });

    it('when type is missing, then the event is invalid and the rest of the envelope is still checked', () => {
      const { event } = example('meeting-cancelled');
      delete event.type;
      event.occurredAt = 'hôm qua';
      const result = parseEvent(event);
      expect(result).toMatchObject({ ok: false, kind: 'invalid' });
      if (result.ok) return;
      expect(result.issues.map((issue) => issue.path)).toEqual(['occurredAt', 'type']);
      expect(messagesAt(result.issues, 'type')).toEqual([`required: one of ${EVENT_TYPES.join(', ')}`]);
    });

    it('when type is not a string, then the event is invalid (not unknown-type)', () => {
      const { event } = example('meeting-cancelled');
      event.type = 42;
      expect(parseEvent(event)).toEqual({
        ok: false,
        kind: 'invalid',
        issues: [{ path: 'type', message: `must be a string: one of ${EVENT_TYPES.join(', ')}` }],
      });
    });
  });

  describe('envelope', () => {
    it.each([
      [null, 'null'],
      [[], 'an array'],
      [42, 'a number'],
      ['{"type":"meeting.scheduled"}', 'a string'],
      [undefined, 'nothing'],
      [true, 'a boolean'],
    ])('when the input is %p, then it must be a JSON object', (input, got) => {
      expect(parseEvent(input)).toEqual({
        ok: false,
        kind: 'invalid',
        issues: [{ path: '(root)', message: `must be a JSON object (the event envelope), got ${got}` }],
      });
    });

    it('when id is absent, then the event is accepted without one (intake assigns it)', () => {
      const { event } = example('document-recalled');
      delete event.id;
      const result = parseEvent(event);
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.event.id).toBeUndefined();
        expect('id' in result.event).toBe(false);
      }
    });

    it.each(['', 'có dấu', 'a b', 'x'.repeat(129), 'id/with/slash'])('when id is "%s", then it is refused', (id) => {
      const { event } = example('document-recalled');
      event.id = id;
      expect(issuesOf(event).map((issue) => issue.path)).toEqual(['id']);
    });

    it.each(['urn:uuid:5f0c2a4e-7d0b-4c4e-9a57-2f3c1b9d8e11', 'VPTU.2025_0512-1', 'x'.repeat(128)])(
      'when id is "%s", then it is accepted',
      (id) => {
        const { event } = example('document-recalled');
        event.id = id;
        expect(parseEvent(event).ok).toBe(true);
      },
    );

    it.each(['VPTU', 'vp thanh uy', '-vptu', 'x'.repeat(65), ''])('when source is "%s", then it is refused', (source) => {
      const { event } = example('document-recalled');
      event.source = source;
      expect(issuesOf(event).map((issue) => issue.path)).toEqual(['source']);
    });

    it('when occurredAt has no offset, then the message shows the expected form', () => {
      const { event } = example('document-recalled');
      event.occurredAt = '2025-09-28T08:45:00';
      expect(issuesOf(event)).toEqual([
        { path: 'occurredAt', message: 'must be an ISO 8601 date-time with a UTC offset, e.g. 2025-09-29T08:00:00+07:00' },
      ]);
    });

    it('when the envelope has an unknown field, then it is reported (with a suggestion for typos)', () => {
      const { event } = example('document-recalled');
      event.ocurredAt = event.occurredAt as string;
      delete event.occurredAt;
      event.priority = 'high';
      expect(issuesOf(event)).toEqual([
        { path: 'occurredAt', message: 'required' },
        { path: 'ocurredAt', message: 'unknown field (did you mean "occurredAt"?)' },
        { path: 'priority', message: 'unknown field' },
      ]);
    });

    it('when data is missing or not an object, then data is reported', () => {
      const { event } = example('document-recalled');
      delete event.data;
      expect(issuesOf(event)).toEqual([{ path: 'data', message: 'required' }]);
      event.data = [];
      expect(issuesOf(event)).toEqual([{ path: 'data', message: 'must be an object, got an array' }]);
    });
  });

  describe('hostile input', () => {
    it('when data has an own __proto__ key, then it is an unknown field and nothing is polluted', () => {
      const event = JSON.parse(
        JSON.stringify(example('meeting-cancelled').event).replace('"data":{', '"data":{"__proto__":{"polluted":true},'),
      ) as unknown;
      expect(issuesOf(event)).toEqual([{ path: 'data.__proto__', message: 'unknown field' }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('when a participant carries constructor.prototype, then it is an unknown field and nothing is polluted', () => {
      const { event, data } = example('meeting-cancelled');
      (data.participants as JsonObject[])[0] = { id: 'a', name: 'A', constructor: { prototype: { polluted: true } } };
      expect(issuesOf(event)).toEqual([{ path: 'data.participants[0].constructor', message: 'unknown field' }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('when the input is a proxy that throws on every access, then parseEvent reports it instead of throwing', () => {
      const hostile = new Proxy(
        {},
        {
          get: () => {
            throw new Error('boom');
          },
          getOwnPropertyDescriptor: () => {
            throw new Error('boom');
          },
          ownKeys: () => {
            throw new Error('boom');
          },
          has: () => {
            throw new Error('boom');
          },
        },
      );
      expect(parseEvent(hostile)).toEqual({
        ok: false,
        kind: 'invalid',
        issues: [{ path: '(root)', message: 'could not be read as JSON data' }],
      });
    });

    it('when a field is a getter that throws, then parseEvent does not throw', () => {
      const { event } = example('meeting-cancelled');
      Object.defineProperty(event, 'data', {
        enumerable: true,
        get: () => {
          throw new Error('boom');
        },
      });
      expect(parseEvent(event)).toMatchObject({ ok: false, kind: 'invalid' });
    });

    it('when type is a getter returning a known type, then the event is still judged safely', () => {
      const { event } = example('meeting-cancelled');
      Object.defineProperty(event, 'type', { enumerable: true, get: () => 'meeting.cancelled' });
      const result = parseEvent(event);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues.length).toBeGreaterThan(0);
    });

    it('when values are cyclic, bigint, symbol or function, then each is reported by type', () => {
      const { event, data } = example('meeting-cancelled');
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const raw = event as Record<string, unknown>;
      const rawData = data as Record<string, unknown>;
      rawData.title = 10n;
      rawData.chair = Symbol('chair');
      rawData.number = () => 'x';
      rawData.agenda = cyclic;
      expect(issuesOf(raw)).toEqual([
        { path: 'data.number', message: 'must be a string, got a function' },
        { path: 'data.title', message: 'must be a string, got a bigint' },
        { path: 'data.chair', message: 'must be a string, got a symbol' },
        { path: 'data.agenda', message: 'must be a string or an array of strings' },
      ]);
    });

    it('when a field holds deeply nested junk, then it is reported without walking it', () => {
      let deep: unknown = 'bottom';
      for (let i = 0; i < 100_000; i++) deep = [deep];
      const { event, data } = example('meeting-cancelled');
      (data as Record<string, unknown>).agenda = deep;
      (event as Record<string, unknown>).extra = deep;
      const issues = issuesOf(event);
      expect(issues.map((issue) => issue.path)).toEqual(['data.agenda[0]', 'extra']);
    });

    it('when an unknown key is huge, then the path shows only its start', () => {
      const { event } = example('meeting-cancelled');
      event['k'.repeat(10_000)] = 1;
      const [issue] = issuesOf(event);
      expect(issue?.path.length).toBeLessThan(80);
    });
  });
});

describe('parsed event types', () => {
  it('when the type is narrowed, then data has that type’s normalized fields', () => {
    const result = parseEvent(example('meeting-updated-chuyen-chieu').event);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { event } = result;
    const summary: string[] = [];
    switch (event.type) {
      case 'meeting.updated':
        summary.push(event.data.reason, event.data.previous?.start ?? '', event.data.urgency);
        break;
      case 'document.dispatched':
        summary.push(event.data.secrecy, event.data.summary ?? '');
        break;
      default:
        summary.push(event.type);
    }
    expect(summary).toEqual([
      'Đồng chí chủ trì có lịch làm việc đột xuất với Đoàn công tác Trung ương vào buổi sáng; cuộc họp chuyển sang buổi chiều cùng ngày.',
      '2025-09-30T08:00:00+07:00',
      'thuong',
    ]);
  });
});
