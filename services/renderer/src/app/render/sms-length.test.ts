import { EXAMPLE_NAMES, type ExampleName, type GatewayEvent, type SmsMessage } from '@gateway/contracts';
import { analyzeSms, cleanSmsText, isGsm7, stripDiacritics } from '../../domain';
import { isSkipped, type Renderer, type RenderResult } from './render';
import { AGENCY, contextFor, inlinePeople, realRenderer, rendererWithSmsCap, variant } from '../../../test/render-support';
import { buildEventView, type RecipientPerson } from './view-model';

/** Every real template's cap (template.json) is 3 segments. */
const CAP = 3;
const renderer = realRenderer();
const WHO: RecipientPerson = { id: 'nguyen-van-a', name: 'Nguyễn Văn A', phone: '+84912345678' };

function sms(name: ExampleName, change: (data: Record<string, unknown>) => void): SmsMessage {
  const event = variant(name, change);
  const [result] = renderer.renderMessages(event, WHO, ['sms'], contextFor(event, WHO)) as [RenderResult];
  if (isSkipped(result)) throw new Error(`SMS skipped: ${result.reason}`);
  return result as SmsMessage;
}

function withinCap(message: SmsMessage): void {
  const analysis = analyzeSms(message.text);
  expect(analysis.segments).toBeLessThanOrEqual(CAP);
  expect({ encoding: message.encoding, segments: message.segments }).toEqual({ encoding: analysis.encoding, segments: analysis.segments });
  expect(message.text).not.toMatch(/[\ue000-\ue002]/);
}

describe('an SMS is never dropped for its length', () => {
  const title300 = `Hội nghị ${'quán triệt và triển khai Nghị quyết của Ban Chấp hành Trung ương Đảng khóa XIII, '.repeat(4)}`.slice(0, 300);

  it.each(['meeting-scheduled-hoi-nghi-bch', 'meeting-updated-chuyen-chieu', 'meeting-cancelled'] as const)(
    'when %s has a 300-character title, then the SMS is within the cap with the title cut and the time whole',
    (name) => {
      expect(title300).toHaveLength(300);
      const message = sms(name, (data) => {
        data.title = title300;
      });
      withinCap(message);
      expect(message.text).toContain('Hoi nghi quan triet va trien khai Nghi quyet');
      expect(message.text).toMatch(/ngay \d+\/\d+\/2025/);
    },
  );

  it('when the place is written with Ð (U+00D0, the TCVN3 look-alike of Đ), then the SMS stays GSM-7 and within the cap', () => {
    const message = sms('meeting-scheduled-hoi-nghi-bch', (data) => {
      data.location = 'Hội trường Thành ủy, 08 Bạch Ðằng, phường Hải Châu, thành phố Ðà Nẵng';
    });
    withinCap(message);
    expect(message.encoding).toBe('GSM-7');
    expect(message.text).toContain('Dia diem: Hoi truong Thanh uy, 08 Bach Dang, phuong Hai Chau, thanh pho Da Nang.');
  });

  it.each([
    ['Ð', 'D'],
    ['ð', 'd'],
    ['\u200b', ''],
    ['\ufeff', ''],
    ['\u00ad', ''],
    ['•', '-'],
    ['°', 'o'],
    ['×', 'x'],
    ['«', '"'],
    ['»', '"'],
    ['“', '"'],
    ['–', '-'],
    ['\u00a0', ' '],
    ['…', '...'],
    ['½', '1/2'],
    ['№', 'No'],
  ])('when the title holds %j, then it is sent as %j and the SMS stays GSM-7', (odd, folded) => {
    const message = sms('meeting-scheduled-hoi-nghi-bch', (data) => {
      data.title = `Hội nghị A${odd}B`;
    });
    withinCap(message);
    expect(message.encoding).toBe('GSM-7');
    expect(message.text).toContain(`Hoi nghi A${folded}B.`);
  });

  it('when both the title and the place are very long, then both are cut and the time, the link and the confirmation stay', () => {
    const message = sms('meeting-scheduled-hoi-nghi-bch', (data) => {
      data.title = 'Hội nghị tổng kết '.repeat(55).trim();
      data.location = `Hội trường ${'tầng 3, nhà B, khu liên cơ quan số 2, '.repeat(12)}`.trim();
    });
    withinCap(message);
    expect(message.text).toMatch(/Hoi nghi tong ket.*\.\.\. Thoi gian: tu 08 gio 00 den 11 gio 30, Thu Hai, ngay 29\/9\/2025\. Dia diem: Hoi truong tang 3.*\.\.\./);
    expect(message.text).toContain('De nghi dong chi xac nhan tham du.');
  });

  it('when a document has a page-long issuing body and summary, then the summary goes, the body is cut and the link stays whole', () => {
    const message = sms('document-dispatched-hoa-toc', (data) => {
      data.issuingBody = 'Ban Chỉ đạo phòng, chống tham nhũng, tiêu cực '.repeat(6).trim();
      data.summary = 'Về việc '.repeat(240).trim();
    });
    withinCap(message);
    expect(message.text).toContain('Xem van ban: https://');
    expect(message.text).not.toContain('Trich yeu');
  });
});

/** Deterministic, so a failure can be replayed: mulberry32. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VIETNAMESE = Array.from('aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵỲÝỶỸỴ');
const ODD = Array.from('ÐðÞþŒœŁł•°×«»“”‘’–—…½²™©®№€[]{}^~|\\`´·●◦▪→±÷\u00a0\u202f\u2007\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u2066\u0301\u0323\t\n📅🇻🇳中文한국');

function text(next: () => number, max: number): string {
  const length = 1 + Math.floor(next() * max);
  let out = '';
  for (let i = 0; i < length; i++) {
    const roll = next();
    const pool = roll < 0.15 ? [' '] : roll < 0.3 ? ODD : roll < 0.45 ? Array.from('0123456789.,-/:()') : VIETNAMESE;
    out += pool[Math.floor(next() * pool.length)] ?? 'a';
  }
  return `x${out}`;
}

describe('property: random Vietnamese and odd characters in every free-text field', () => {
  it.each([...EXAMPLE_NAMES])('when %s gets 60 random variants, then each SMS is produced and within the cap', (name) => {
    const next = random(0x5eed + name.length);
    for (let run = 0; run < 60; run++) {
      const big = next() < 0.3;
      const event = variant(name, (data) => {
        const set = (field: string, max: number): void => {
          if (field in data || next() < 0.5) data[field] = text(next, big ? max : 80);
        };
        if ('meetingId' in data) {
          set('title', 1000);
          set('location', 500);
          set('chair', 300);
          set('organizerUnit', 300);
          if ('reason' in data) set('reason', 1000);
        } else {
          set('issuingBody', 300);
          set('summary', 2000);
          if ('reason' in data) set('reason', 1000);
        }
      });
      const who = inlinePeople(event).find((p) => p.phone !== undefined) ?? WHO;
      const person: RecipientPerson = { ...who, phone: who.phone ?? '+84912345678' };
      const [result] = renderer.renderMessages(event, person, ['sms'], contextFor(event, person));
      if (result === undefined || isSkipped(result)) throw new Error(`run ${run}: SMS skipped: ${result?.reason}`);
      const message = result as SmsMessage;
      withinCap(message);
      if (message.diacritics === 'strip') expect(Array.from(message.text).filter((ch) => !isGsm7(ch))).toEqual([]);
    }
  });
});

function smsFrom(renderer: Renderer, event: GatewayEvent): SmsMessage {
  const who = inlinePeople(event).find((p) => p.phone !== undefined) ?? WHO;
  const person: RecipientPerson = { ...who, phone: who.phone ?? '+84912345678' };
  const [result] = renderer.renderMessages(event, person, ['sms'], contextFor(event, person));
  if (result === undefined || isSkipped(result)) throw new Error(`SMS skipped: ${result?.reason}`);
  return result as SmsMessage;
}

/** The view's links, times and numbers, as the SMS spells them. */
function keptWhole(event: GatewayEvent, message: SmsMessage): { link: string | null; time: string | null; number: string | null; all: string[] } {
  const view = buildEventView(event, AGENCY);
  const spell = (text: string | null): string | null => (text === null ? null : message.diacritics === 'strip' ? stripDiacritics(text) : cleanSmsText(text));
  const values =
    view.kind === 'meeting'
      ? [view.meeting.time, view.meeting.number, view.meeting.onlineLink, view.meeting.previous.time, view.meeting.previous.onlineLink]
      : view.kind === 'document'
        ? [view.document.number, view.document.deadline, view.document.issueDate, view.document.link]
        : [view.document.number, view.document.link];
  return {
    link: spell(view.link),
    time: view.kind === 'meeting' ? spell(view.meeting.time) : view.kind === 'document' ? spell(view.document.deadline) : null,
    number: spell(view.kind === 'meeting' ? view.meeting.number : view.document.number),
    all: values.map(spell).filter((v): v is string => v !== null),
  };
}

describe('property: at a cap of 1 or 2 segments, links, times and numbers are never cut', () => {
  const LINK_CHARS = Array.from('abcdefghijklmnopqrstuvwxyz0123456789-_./');
  const NUMBER_CHARS = Array.from('0123456789/-QĐUBNDTWHCVGMđ');
  const pick = (next: () => number, pool: string[], max: number): string =>
    Array.from({ length: 1 + Math.floor(next() * max) }, () => pool[Math.floor(next() * pool.length)] ?? 'a').join('');

  describe.each([1, 2])('at a cap of %i', (cap) => {
    const capped = rendererWithSmsCap(cap);

    it.each([...EXAMPLE_NAMES])('when %s gets 40 variants with very long fields, then each SMS holds its link, time and number whole', (name) => {
      const next = random(0xc0ffee + cap * 31 + name.length);
      for (let run = 0; run < 40; run++) {
        const big = next() < 0.5;
        const link = `https://vanban.danang.gov.vn/${pick(next, LINK_CHARS, big ? 160 : 30)}x`;
        const event = variant(name, (data) => {
          data.number = `${pick(next, NUMBER_CHARS, big ? 60 : 12)}X`;
          if ('meetingId' in data) {
            data.onlineLink = link;
            if (next() < 0.4) delete data.location;
            else data.location = text(next, big ? 499 : 60);
            data.title = text(next, big ? 999 : 80);
            data.chair = text(next, big ? 299 : 40);
            if ('reason' in data) data.reason = text(next, 599);
          } else {
            data.link = link;
            data.issuingBody = text(next, big ? 299 : 40);
            data.summary = text(next, 1999);
          }
        });
        const message = smsFrom(capped, event);
        const analysis = analyzeSms(message.text);
        expect({ encoding: message.encoding, segments: message.segments }).toEqual({ encoding: analysis.encoding, segments: analysis.segments });
        expect(message.text).not.toMatch(/[\ue000-\ue003]/);

        const whole = keptWhole(event, message);
        // Where the template puts the link in a required part it must be there; anywhere, whole.
        const online = 'meetingId' in event.data && event.data.location === undefined && name !== 'meeting-cancelled';
        if (name.startsWith('document-dispatched') || online) expect(message.text).toContain(whole.link);
        for (const at of message.text.matchAll(/https?:/g)) expect(message.text.slice(at.index, at.index + (whole.link?.length ?? 0))).toBe(whole.link);
        if (whole.time !== null) expect(message.text).toContain(whole.time);
        if (whole.number !== null) expect(message.text).toContain(whole.number);

        if (message.segments > cap) {
          // Over the cap only when what is kept whole does not fit by itself: nothing else is left.
          let rest = message.text;
          for (const value of [...whole.all].sort((a, b) => b.length - a.length)) rest = rest.split(value).join('');
          expect(rest.trim()).toBe('');
        }
      }
    });
  });

  it('when a document with a long number and a page-long issuing body is sent at a cap of 1, then the link is whole at the end', () => {
    const event = variant('document-dispatched-hoa-toc', (data) => {
      data.number = '1234/QĐ-UBND-VPUB-TCCB';
      data.issuingBody = 'Ban Chỉ đạo phòng, chống tham nhũng, tiêu cực '.repeat(6).trim();
      data.summary = 'Về việc '.repeat(240).trim();
    });
    const message = smsFrom(rendererWithSmsCap(1), event);
    expect(message.segments).toBe(1);
    expect(message.text).toMatch(/ https:\/\/vanban\.danang\.gov\.vn\/van-ban\/[^ ]+$/);
    expect(message.text).toContain(keptWhole(event, message).link);
    expect(message.text).toContain('1234/QD-UBND-VPUB-TCCB');
  });
});

it('when the link alone is longer than any SMS can be, then the SMS is skipped with a reason that says so, not sent with a cut link', () => {
  const event = variant('document-dispatched-hoa-toc', (data) => {
    data.link = `https://vanban.danang.gov.vn/van-ban/${'a1b2c3d4'.repeat(240)}`;
  });
  const [result] = rendererWithSmsCap(1).renderMessages(event, WHO, ['sms'], contextFor(event, WHO)) as [RenderResult];
  expect(result).toMatchObject({ channel: 'sms', skipped: true, reason: expect.stringContaining('links, times and numbers alone exceed any SMS') });
});
