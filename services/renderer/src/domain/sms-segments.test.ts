import { analyzeSms } from './sms-segments';

const a = (n: number): string => 'a'.repeat(n);
const vn = (n: number): string => 'ạ'.repeat(n);

describe('analyzeSms', () => {
  test('when the text is empty, then it is one GSM-7 segment of 0 units (phones still send one part)', () => {
    expect(analyzeSms('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 1 });
  });

  test.each([
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])('when a GSM-7 text has %i characters, then it takes %i segment(s)', (length, segments) => {
    expect(analyzeSms(a(length))).toEqual({ encoding: 'GSM-7', units: length, segments });
  });

  test.each([
    [1, 1],
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])('when a Vietnamese (UCS-2) text has %i characters, then it takes %i segment(s)', (length, segments) => {
    expect(analyzeSms(vn(length))).toEqual({ encoding: 'UCS-2', units: length, segments });
  });

  test('when the text uses the GSM-7 extension table, then each of ^ { } \\ [ ~ ] | € and form feed costs 2 septets', () => {
    expect(analyzeSms('^{}\\[~]|€\f')).toEqual({ encoding: 'GSM-7', units: 20, segments: 1 });
  });

  test('when 80 euro signs make exactly 160 septets, then it is one segment; one more character makes two', () => {
    expect(analyzeSms('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(analyzeSms(`${'€'.repeat(80)}a`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
  });

  test('when an escape pair would straddle the 153-septet boundary, then it moves to the next part', () => {
    // 152 + 2 + 152 = 306 septets: division says 2, but € cannot be split, so: 152 | 2+151 | 1.
    expect(analyzeSms(`${a(152)}€${a(152)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 3 });
    // The same total with the pair not on the boundary fits in 2.
    expect(analyzeSms(`€${a(304)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
  });

  test('when a surrogate pair would straddle the 67-unit boundary, then it moves to the next part', () => {
    // 66 + 2 + 66 = 134 units: division says 2, but the emoji cannot be split, so: 66 | 2+65 | 1.
    expect(analyzeSms(`${vn(66)}😀${vn(66)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
    expect(analyzeSms(`😀${vn(132)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
  });

  test('when an emoji is in a short text, then it counts as 2 UTF-16 units', () => {
    expect(analyzeSms('Họp 😀')).toEqual({ encoding: 'UCS-2', units: 6, segments: 1 });
  });

  test('when the only accented letters are ones in the GSM alphabet (é è à ù ì ò É), then the text stays GSM-7', () => {
    expect(analyzeSms('Bé Hà')).toEqual({ encoding: 'GSM-7', units: 5, segments: 1 });
  });

  test.each([
    ['ạ', 'a Vietnamese letter with a dot below'],
    ['đ', 'đ'],
    ['ê', 'ê'],
    ['ç', 'lower-case c cedilla (only Ç is in the table)'],
    ['`', 'a backtick'],
    ['\t', 'a tab'],
    ['e\u0301', 'a decomposed é (the combining mark is not GSM)'],
  ])('when the text contains %j (%s), then it is UCS-2', (ch) => {
    expect(analyzeSms(`Hop ${ch}`).encoding).toBe('UCS-2');
  });

  test('when a GSM-7 text uses newlines, then each counts as one septet', () => {
    expect(analyzeSms('a\r\nb')).toEqual({ encoding: 'GSM-7', units: 4, segments: 1 });
  });
});
