import { cleanInputText, cleanText, ILL_FORMED_MESSAGE } from './text';
import { parseEvent } from './parse';
import { example, issuesOf, messagesAt, type JsonObject } from './test-support';

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
