import {
  formatVnDate,
  formatVnDateShort,
  formatVnDateTime,
  formatVnTime,
  formatVnTimeRange,
  InvalidDateError,
  isSecret,
  parseInstant,
  secrecyLabel,
  urgencyLabel,
} from './vn-format';

describe('formatVnDateTime', () => {
  test.each([
    ['2025-09-29T01:00:00Z', '08 giờ 00, Thứ Hai, ngày 29/9/2025'],
    ['2025-09-29T08:00:00+07:00', '08 giờ 00, Thứ Hai, ngày 29/9/2025'],
    ['2025-09-29T10:00:00+09:00', '08 giờ 00, Thứ Hai, ngày 29/9/2025'],
    ['2025-09-28T20:00:00-05:00', '08 giờ 00, Thứ Hai, ngày 29/9/2025'],
    ['2025-09-29T01:00:59.999Z', '08 giờ 00, Thứ Hai, ngày 29/9/2025'],
    ['2025-09-29T01:05Z', '08 giờ 05, Thứ Hai, ngày 29/9/2025'],
    ['2025-09-29 06:30:00+0700', '06 giờ 30, Thứ Hai, ngày 29/9/2025'],
    ['2025-09-28T16:59:59Z', '23 giờ 59, Chủ Nhật, ngày 28/9/2025'],
    ['2025-09-28T17:00:00Z', '00 giờ 00, Thứ Hai, ngày 29/9/2025'],
    ['2025-12-31T17:30:00Z', '00 giờ 30, Thứ Năm, ngày 1/1/2026'],
    ['2024-02-29T02:15:00Z', '09 giờ 15, Thứ Năm, ngày 29/2/2024'],
    ['2025-10-05T07:45:00Z', '14 giờ 45, Chủ Nhật, ngày 5/10/2025'],
  ])('when the instant is %s, then Hà Nội time reads %j', (iso, expected) => {
    expect(formatVnDateTime(iso)).toBe(expected);
  });

  test('when given a Date, then it is read as the instant it holds', () => {
    expect(formatVnDateTime(new Date(Date.UTC(2025, 8, 29, 1, 30)))).toBe('08 giờ 30, Thứ Hai, ngày 29/9/2025');
  });

  test('when given a date without a time, then it throws because there is no time to show', () => {
    expect(() => formatVnDateTime('2025-09-29')).toThrow(/a time of day is needed/);
  });
});

describe('formatVnDate', () => {
  test.each([
    ['2025-09-29', 'Thứ Hai, ngày 29/9/2025'],
    ['2025-09-30', 'Thứ Ba, ngày 30/9/2025'],
    ['2025-10-01', 'Thứ Tư, ngày 1/10/2025'],
    ['2025-10-02', 'Thứ Năm, ngày 2/10/2025'],
    ['2025-10-03', 'Thứ Sáu, ngày 3/10/2025'],
    ['2025-10-04', 'Thứ Bảy, ngày 4/10/2025'],
    ['2025-10-05', 'Chủ Nhật, ngày 5/10/2025'],
    ['2024-02-29', 'Thứ Năm, ngày 29/2/2024'],
  ])('when the calendar date is %s, then it reads %j', (date, expected) => {
    expect(formatVnDate(date)).toBe(expected);
  });

  test('when the instant is late evening UTC, then the Hà Nội date (next day) is shown', () => {
    expect(formatVnDate('2025-09-28T18:00:00Z')).toBe('Thứ Hai, ngày 29/9/2025');
  });

  test('when the server runs in another time zone, then neither instants nor calendar dates shift', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
        process.env.TZ = tz;
        expect(formatVnDate('2025-09-29')).toBe('Thứ Hai, ngày 29/9/2025');
        expect(formatVnDateTime('2025-09-29T01:00:00Z')).toBe('08 giờ 00, Thứ Hai, ngày 29/9/2025');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('formatVnTime and formatVnDateShort', () => {
  test('when an instant is given, then the time is two-digit hour and minute', () => {
    expect(formatVnTime('2025-09-29T01:00:00Z')).toBe('08 giờ 00');
    expect(formatVnTime('2025-09-29T13:07:00+07:00')).toBe('13 giờ 07');
  });

  test('when a date is given, then the short form has no leading zeros and a 4-digit year', () => {
    expect(formatVnDateShort('2025-09-05')).toBe('5/9/2025');
    expect(formatVnDateShort('2025-11-20T20:00:00Z')).toBe('21/11/2025');
  });

  test('when formatVnTime gets a date only, then it throws', () => {
    expect(() => formatVnTime('2025-09-29')).toThrow(InvalidDateError);
  });
});

describe('formatVnTimeRange', () => {
  test('when start and end fall on the same Hà Nội day, then the date is written once', () => {
    expect(formatVnTimeRange('2025-09-29T01:00:00Z', '2025-09-29T04:30:00Z')).toBe(
      'từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 29/9/2025',
    );
  });

  test('when start and end fall on different days, then both are written in full', () => {
    expect(formatVnTimeRange('2025-09-29T01:00:00Z', '2025-09-30T10:00:00Z')).toBe(
      'từ 08 giờ 00, Thứ Hai, ngày 29/9/2025 đến 17 giờ 00, Thứ Ba, ngày 30/9/2025',
    );
  });

  test('when the range is within one UTC day but crosses midnight in Hà Nội, then both days are written', () => {
    expect(formatVnTimeRange('2025-09-29T16:00:00Z', '2025-09-29T18:00:00Z')).toBe(
      'từ 23 giờ 00, Thứ Hai, ngày 29/9/2025 đến 01 giờ 00, Thứ Ba, ngày 30/9/2025',
    );
  });

  test('when the end is before the start, then it throws', () => {
    expect(() => formatVnTimeRange('2025-09-29T04:00:00Z', '2025-09-29T01:00:00Z')).toThrow(/before it starts/);
  });
});

describe('parsing', () => {
  test.each([
    ['hôm nay', /expected ISO 8601/],
    ['', /expected ISO 8601/],
    ['29/9/2025', /expected ISO 8601/],
    ['2025-13-01', /month 13 does not exist/],
    ['2025-02-29', /day 29 does not exist in 2\/2025/],
    ['2025-09-31T01:00:00Z', /day 31 does not exist/],
    ['2025-09-29T08:00:00', /needs an offset/],
    ['2025-09-29T24:00:00Z', /out of range/],
    ['2025-09-29T08:60:00Z', /out of range/],
    ['2025-09-29T08:00:00+25:00', /offset/],
  ])('when the input is %j, then it throws a clear InvalidDateError', (input, message) => {
    expect(() => formatVnDate(input)).toThrow(InvalidDateError);
    expect(() => formatVnDate(input)).toThrow(message);
  });

  test('when the Date object is invalid, then it throws', () => {
    expect(() => formatVnDate(new Date('x'))).toThrow(/invalid Date object/);
  });

  test('when the value is not a string at all (from an untyped template), then it throws', () => {
    expect(() => formatVnDate(undefined as unknown as string)).toThrow(/cannot read undefined as a date/);
  });

  test('when parseInstant reads an instant, then it equals the instant Date.parse gives', () => {
    expect(parseInstant('2025-09-29T08:00:00.250+07:00').toISOString()).toBe('2025-09-29T01:00:00.250Z');
  });

  test('when parseInstant gets a calendar date, then it refuses it', () => {
    expect(() => parseInstant('2025-09-29')).toThrow(/does not denote an instant/);
  });
});

describe('labels', () => {
  test.each([
    ['thuong', 'Thường'],
    ['khan', 'Khẩn'],
    ['thuong-khan', 'Thượng khẩn'],
    ['hoa-toc', 'Hỏa tốc'],
  ])('when the urgency is %s, then the label is %s', (slug, label) => {
    expect(urgencyLabel(slug)).toBe(label);
  });

  test.each([
    ['thuong', 'Thường', false],
    ['mat', 'Mật', true],
    ['toi-mat', 'Tối mật', true],
    ['tuyet-mat', 'Tuyệt mật', true],
  ])('when the secrecy is %s, then the label is %s and isSecret is %s', (slug, label, secret) => {
    expect(secrecyLabel(slug)).toBe(label);
    expect(isSecret(slug)).toBe(secret);
  });

  test.each(['Mat', 'khẩn', '', 'toString', '__proto__'])('when the slug is %j, then it throws naming the allowed values', (slug) => {
    expect(() => urgencyLabel(slug)).toThrow(/unknown urgency .*thuong, khan, thuong-khan, hoa-toc/);
    expect(() => secrecyLabel(slug)).toThrow(/unknown secrecy/);
    expect(() => isSecret(slug)).toThrow(/unknown secrecy/);
  });
});
