import { formToken, isLinkCode, LINK_CODE_LENGTH, linkCode, linkUrl, verifyFormToken, verifyLinkCode } from './token';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const binding = { source: 'vpthanhuy-danang', meetingId: 'hop-2025-09', personId: 'nguyen-van-a' };

describe('personal link codes', () => {
  it('when a code is made twice for one binding, then it is the same 12 url-safe characters', () => {
    const code = linkCode(SECRET, binding);
    expect(code).toHaveLength(LINK_CODE_LENGTH);
    expect(code).toMatch(/^[0-9A-Za-z]+$/);
    expect(linkCode(SECRET, binding)).toBe(code);
    expect(isLinkCode(code)).toBe(true);
  });

  it('when the person, meeting, source or secret differs, then the code differs', () => {
    const code = linkCode(SECRET, binding);
    const others = [
      linkCode(SECRET, { ...binding, personId: 'nguyen-van-b' }),
      linkCode(SECRET, { ...binding, meetingId: 'hop-2025-10' }),
      linkCode(SECRET, { ...binding, source: 'banto-chuc' }),
      linkCode(`${SECRET}x`, binding),
    ];
    for (const other of others) expect(other).not.toBe(code);
  });

  it('when a code is checked against its binding, then it verifies; a tampered code or another binding does not', () => {
    const code = linkCode(SECRET, binding);
    expect(verifyLinkCode(SECRET, code, binding)).toBe(true);
    const flipped = `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyLinkCode(SECRET, flipped, binding)).toBe(false);
    expect(verifyLinkCode(SECRET, code, { ...binding, personId: 'nguyen-van-b' })).toBe(false);
    expect(verifyLinkCode(SECRET, `${code}0`, binding)).toBe(false);
    expect(verifyLinkCode(SECRET, 'khong-hop-le', binding)).toBe(false);
  });

  it('when the secret is short, then no code is made', () => {
    expect(() => linkCode('short', binding)).toThrow(/at least 32/);
  });

  it('when a form token is checked, then only the one made for that code passes', () => {
    const code = linkCode(SECRET, binding);
    const token = formToken(SECRET, code);
    expect(verifyFormToken(SECRET, code, token)).toBe(true);
    expect(verifyFormToken(SECRET, linkCode(SECRET, { ...binding, personId: 'x' }), token)).toBe(false);
    expect(verifyFormToken(SECRET, code, `${token}x`)).toBe(false);
  });

  it('when the base URL ends with a slash, then the link has one', () => {
    expect(linkUrl('https://tb.example.gov.vn/', 'abcDEF123456')).toBe('https://tb.example.gov.vn/x/abcDEF123456');
  });
});
