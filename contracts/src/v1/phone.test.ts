import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { normalizePhone, phoneSchema, PHONE_RANGE_OVERRIDES, RENUMBERED_PREFIXES } from './phone';

describe('normalizePhone', () => {
  it.each([
    ['0905 123 456', '+84905123456'],
    ['+84 905 123 456', '+84905123456'],
    ['84905123456', '+84905123456'],
    ['0084 905 123 456', '+84905123456'],
    ['0905.123.456', '+84905123456'],
    ['(0905) 123-456', '+84905123456'],
    [' 0913456789 ', '+84913456789'],
    ['+84905123456', '+84905123456'],
    ['0323456789', '+84323456789'],
    ['0703456789', '+84703456789'],
    ['0563123456', '+84563123456'],
    ['0876123456', '+84876123456'],
    ['0243 825 1234', '+842438251234'],
    ['0236 3821 234', '+842363821234'],
    ['+1 415 555 0132', '+14155550132'],
  ])('when given "%s", then it becomes %s', (input, e164) => {
    expect(normalizePhone(input)).toEqual({ ok: true, e164 });
  });

  it('when given 0123456789, then it is refused as not a valid Vietnamese number', () => {
    const result = normalizePhone('0123456789');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^is not a valid Vietnamese mobile or phone number/);
  });

  it.each(Object.entries(RENUMBERED_PREFIXES))(
    'when a number uses the old prefix 0%s, then it is refused naming the new prefix 0%s',
    (old, replacement) => {
      const result = normalizePhone(`0${old}3456789`);
      expect(result).toEqual({
        ok: false,
        reason: `uses the old 11-digit prefix 0${old}, renumbered in 2018-2019 to 0${replacement}: write it as 0${replacement} followed by the last 7 digits (+84${replacement}...)`,
      });
    },
  );

  it.each([
    ['0162', '032'],
    ['0120', '070'],
    ['0121', '079'],
    ['0122', '077'],
    ['0126', '076'],
    ['0128', '078'],
    ['0123', '083'],
    ['0124', '084'],
    ['0125', '085'],
    ['0127', '081'],
    ['0129', '082'],
    ['0169', '039'],
    ['0186', '056'],
    ['0188', '058'],
    ['0199', '059'],
  ])('when the renumbering table is read for %s, then it maps to %s', (old, replacement) => {
    expect(`0${RENUMBERED_PREFIXES[old.slice(1)] ?? ''}`).toBe(replacement);
  });

  it.each(['+84 162 345 6789', '841623456789', '0162.345.6789'])(
    'when an old-prefix number is written as "%s", then it is still recognized as renumbered',
    (input) => {
      const result = normalizePhone(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/old 11-digit prefix 0162.*032/);
    },
  );

  it('when an old prefix has the new length (10 digits), then it is judged by the numbering plan, not the renumbering', () => {
    const result = normalizePhone('0162345678');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toMatch(/renumbered/);
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['abc', /must contain only digits/],
    ['0905 123 456 ext 12', /must contain only digits/],
    ['0905', /not a valid Vietnamese/],
    ['09051234567890', /not a valid Vietnamese/],
    ['1900 1234', /service number|not a valid/],
    ['1800 1234', /service number|not a valid/],
    ['+999 123 456', /not a phone number|not a valid/],
    ['9'.repeat(40), /too long/],
  ])('when given "%s", then it is refused with a reason', (input, reason) => {
    const result = normalizePhone(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('when a number is refused, then the reason does not repeat the number', () => {
    const result = normalizePhone('0123456789');
    if (result.ok) throw new Error('expected a refusal');
    expect(result.reason).not.toContain('123456789');
  });

  it('when the input is not a string (from untyped callers), then it is refused instead of throwing', () => {
    expect(normalizePhone(905123456 as unknown as string).ok).toBe(false);
  });
});

describe('PHONE_RANGE_OVERRIDES', () => {
  const samples: Array<[string, string]> = PHONE_RANGE_OVERRIDES.map((o) => [
    o.prefix,
    `0${o.prefix}${'1234567890'.slice(0, o.length - o.prefix.length)}`,
  ]);

  it('when the list is read, then every entry is a short national prefix with a reason', () => {
    expect(PHONE_RANGE_OVERRIDES.length).toBeGreaterThan(0);
    for (const entry of PHONE_RANGE_OVERRIDES) {
      expect(entry.prefix).toMatch(/^[1-9]\d{1,3}$/);
      expect(entry.length).toBe(9);
      expect(entry.note.length).toBeGreaterThan(10);
    }
  });

  it.each(samples)('when a number in the %s override range is given, then it is accepted', (_prefix, sample) => {
    expect(normalizePhone(sample)).toEqual({ ok: true, e164: `+84${sample.slice(1)}` });
  });

  it.each(samples)(
    'when the metadata is asked about the %s sample, then it still does not know it (drop the override once it does)',
    (_prefix, sample) => {
      expect(parsePhoneNumberFromString(sample, 'VN')?.isValid()).toBe(false);
    },
  );

  it('when a number in an override prefix has the wrong length, then it is still refused', () => {
    expect(normalizePhone('055123456').ok).toBe(false);
    expect(normalizePhone('05512345678').ok).toBe(false);
  });
});

describe('phoneSchema', () => {
  it('when parsed, then a loosely written number becomes E.164', () => {
    expect(phoneSchema.parse('0905 123 456')).toBe('+84905123456');
  });

  it('when parsed twice, then the result is unchanged (normalization is idempotent)', () => {
    const once = phoneSchema.parse('84 913 456 789');
    expect(phoneSchema.parse(once)).toBe(once);
  });

  it('when the number is invalid, then the issue carries the reason', () => {
    const result = z.object({ phone: phoneSchema }).safeParse({ phone: '01203456789' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/0120.*070/);
  });
});
