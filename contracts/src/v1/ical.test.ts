import { foldLine } from './ical';

describe('foldLine', () => {
  test('when a line is exactly 75 octets, then it is not folded', () => {
    expect(foldLine('X'.repeat(75))).toBe('X'.repeat(75));
  });

  test('when a 3-octet character would cross octet 75, then the fold comes before it', () => {
    const folded = foldLine(`${'X'.repeat(74)}ệ`);
    expect(folded).toBe(`${'X'.repeat(74)}\r\n ệ`);
  });

  test('when continuation lines are written, then each holds at most 74 octets after its leading space', () => {
    // ạ is 3 octets: 25 fit the first line (75), 24 a continuation (1 + 72), the last 11 remain (1 + 33).
    const folded = foldLine('ạ'.repeat(60));
    const lines = folded.split('\r\n');
    expect(lines.map((l) => Buffer.byteLength(l))).toEqual([75, 73, 34]);
    expect(lines.slice(1).every((l) => l.startsWith(' '))).toBe(true);
    expect(folded.replace(/\r\n /g, '')).toBe('ạ'.repeat(60));
  });
});
