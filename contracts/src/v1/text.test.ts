import { cleanInputText, cleanText, ILL_FORMED_MESSAGE } from './text';
import { parseEvent } from './parse';
import { example, issuesOf, messagesAt, type JsonObject } from '../../test/support';

const nfd = (text: string): string => text.normalize('NFD');

describe('cleaning incoming text', () => {
  it('when text arrives decomposed (NFD), then it comes out precomposed (NFC)', () => {
    const title = 'Hội nghị Ban Chấp hành Đảng bộ thành phố';
    expect(nfd(title)).not.toBe(title);
    expect(cleanText(nfd(title))).toBe(title);
  });

  it('when text carries terminal escapes, controls, bidi overrides or a byte order mark, then they are removed and line breaks kept', () => {
    expect(cleanText('\u001b[31mĐỎ\u001b[0m họp')).toBe('ĐỎ họp');
    expect(cleanText('tiêu đề\u001b]0;pwned\u0007 xong')).toBe('tiêu đề xong');
    expect(cleanText('a\u0000b\u0007c\u0090d\u007fe')).toBe('abcde');
    expect(cleanText('Nguyễn \u202eAn\u202c \u2066x\u2069\u200f')).toBe('Nguyễn An x');
    expect(cleanText('\ufeffHọp')).toBe('Họp');
    expect(cleanText('dòng 1\r\ndòng 2\rdòng 3\u2028dòng 4\tcột')).toBe('dòng 1\ndòng 2\ndòng 3\ndòng 4\tcột');
  });

  it('when nothing needs cleaning, then the same object comes back', () => {
    const input = { a: ['Hội nghị', { b: 'x' }], n: 3 };
    const result = cleanInputText(input);
    expect(result).toEqual({ ok: true, value: input });
    expect(result.ok && result.value).toBe(input);
  });

  it('when a key is "__proto__", then it stays a key of the cleaned copy', () => {
    const input = JSON.parse('{"__proto__": {"x": "Ho\\u0323p"}, "y": "\\u0000"}') as unknown;
    const result = cleanInputText(input);
    if (!result.ok) throw new Error('expected ok');
    const value = result.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'y']);
    expect(value.y).toBe('');
  });

  it('when random text mixes scripts, marks and controls, then the one-pass scan agrees with the plain definition', () => {
    // The definition, written with a regex per concern; cleanText must give the same result.
    // eslint-disable-next-line no-control-regex
    const invisible = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g;
    // eslint-disable-next-line no-control-regex
    const escapes = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]?/g;
    const reference = (t: string): string => t.replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n').replace(escapes, '').replace(invisible, '').normalize('NFC');
    const ranges: Array<[number, number]> = [[0x00, 0x7f], [0x80, 0x2ff], [0x300, 0x36f], [0x370, 0x3ff], [0x1e00, 0x1eff], [0x2000, 0x206f], [0x2100, 0x214f], [0xac00, 0xac40], [0x1100, 0x1175], [0xf900, 0xf920], [0xfe00, 0xffff]];
    let seed = 7;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let run = 0; run < 3000; run++) {
      let text = '';
      for (let i = 0, n = 1 + Math.floor(next() * 12); i < n; i++) {
        const [from, to] = ranges[Math.floor(next() * ranges.length)] ?? [0x61, 0x7a];
        text += String.fromCharCode(from + Math.floor(next() * (to - from + 1)));
      }
      expect([text, cleanText(text)]).toEqual([text, reference(text)]);
    }
  });

  describe('in parseEvent', () => {
    it('when an event is sent in NFD, then every string of the parsed event is NFC', () => {
      const { event } = example('meeting-scheduled-hoi-nghi-bch');
      const decomposed = JSON.parse(nfd(JSON.stringify(event))) as JsonObject;
      const parsed = parseEvent(decomposed);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      const reference = parseEvent(event);
      expect(parsed).toEqual(reference);
      const strings = JSON.stringify(parsed.event);
      expect(strings).toBe(strings.normalize('NFC'));
    });

    it('when a name holds a lone surrogate, then the event is refused naming the field', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      const participants = data.participants as JsonObject[];
      (participants[1] as JsonObject).name = 'Trần\ud800 Thị';
      data.title = 'x\udc00';
      const issues = issuesOf(event);
      expect(messagesAt(issues, 'data.participants[1].name')).toEqual([ILL_FORMED_MESSAGE]);
      expect(messagesAt(issues, 'data.title')).toEqual([ILL_FORMED_MESSAGE]);
    });

    it('when a surrogate pair is whole (an emoji), then it is accepted', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.title = 'Họp 📅 tổng kết';
      const parsed = parseEvent(event);
      expect(parsed.ok && parsed.event.data).toMatchObject({ title: 'Họp 📅 tổng kết' });
    });

    it('when a title carries an ANSI escape and a bidi override, then the parsed title has neither', () => {
      const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
      data.title = '\u001b[2J\u202eHội nghị\u202c';
      const parsed = parseEvent(event);
      expect(parsed.ok && parsed.event.data).toMatchObject({ title: 'Hội nghị' });
    });
  });
});
