import { applySmsPolicy, type SmsPart, type SmsPolicy, type SmsPolicyResult } from './sms-policy';

// A typical invitation: 92 + 36 + 35 + 52 = 215 characters. With diacritics it is UCS-2,
// 202..268 units => 4 parts of 67; stripped it is GSM-7, 161..306 septets => 2 parts of 153.
const INVITATION: SmsPart[] = [
  { text: 'Văn phòng Thành ủy trân trọng kính mời đồng chí dự Hội nghị sơ kết công tác quý III năm 2025' },
  { text: ', 08 giờ 00, Thứ Hai, ngày 29/9/2025' },
  { text: ', tại Hội trường A, Trụ sở Thành ủy', optional: true },
  { text: '. Đề nghị xác nhận tham dự: https://hop.tu.vn/x/7Kq2', optional: true },
];
const FULL =
  'Văn phòng Thành ủy trân trọng kính mời đồng chí dự Hội nghị sơ kết công tác quý III năm 2025, 08 giờ 00, Thứ Hai, ngày 29/9/2025, tại Hội trường A, Trụ sở Thành ủy. Đề nghị xác nhận tham dự: https://hop.tu.vn/x/7Kq2';
const FULL_STRIPPED =
  'Van phong Thanh uy tran trong kinh moi dong chi du Hoi nghi so ket cong tac quy III nam 2025, 08 gio 00, Thu Hai, ngay 29/9/2025, tai Hoi truong A, Tru so Thanh uy. De nghi xac nhan tham du: https://hop.tu.vn/x/7Kq2';
const WITHOUT_LINK =
  'Văn phòng Thành ủy trân trọng kính mời đồng chí dự Hội nghị sơ kết công tác quý III năm 2025, 08 giờ 00, Thứ Hai, ngày 29/9/2025, tại Hội trường A, Trụ sở Thành ủy';
const CORE = 'Văn phòng Thành ủy trân trọng kính mời đồng chí dự Hội nghị sơ kết công tác quý III năm 2025, 08 giờ 00, Thứ Hai, ngày 29/9/2025';
const CORE_STRIPPED = 'Van phong Thanh uy tran trong kinh moi dong chi du Hoi nghi so ket cong tac quy III nam 2025, 08 gio 00, Thu Hai, ngay 29/9/2025';

describe('applySmsPolicy', () => {
  test('when the invitation fixture is measured, then it is the ~210-character message the counts assume', () => {
    expect(FULL).toHaveLength(215);
    expect(WITHOUT_LINK).toHaveLength(163);
    expect(CORE).toHaveLength(128);
  });

  test.each<[string, SmsPolicy, SmsPolicyResult]>([
    [
      'keep, no cap',
      { diacritics: 'keep' },
      { ok: true, text: FULL, encoding: 'UCS-2', segments: 4, diacritics: 'keep', dropped: 0 },
    ],
    [
      'strip, no cap',
      { diacritics: 'strip' },
      { ok: true, text: FULL_STRIPPED, encoding: 'GSM-7', segments: 2, diacritics: 'strip', dropped: 0 },
    ],
    [
      'auto, no cap',
      { diacritics: 'auto' },
      { ok: true, text: FULL_STRIPPED, encoding: 'GSM-7', segments: 2, diacritics: 'strip', dropped: 0 },
    ],
    [
      'keep, cap 4 (exactly fits)',
      { diacritics: 'keep', maxSegments: 4 },
      { ok: true, text: FULL, encoding: 'UCS-2', segments: 4, diacritics: 'keep', dropped: 0 },
    ],
    [
      'keep, cap 3 (the last optional part goes)',
      { diacritics: 'keep', maxSegments: 3 },
      { ok: true, text: WITHOUT_LINK, encoding: 'UCS-2', segments: 3, diacritics: 'keep', dropped: 1 },
    ],
    [
      'keep, cap 2 (both optional parts go)',
      { diacritics: 'keep', maxSegments: 2 },
      { ok: true, text: CORE, encoding: 'UCS-2', segments: 2, diacritics: 'keep', dropped: 2 },
    ],
    [
      'keep, cap 1 (nothing left to drop)',
      { diacritics: 'keep', maxSegments: 1 },
      {
        ok: false,
        reason: 'SMS needs 2 segments (UCS-2, with diacritics) after dropping 2 optional part(s), over the cap of 1',
        segments: 2,
      },
    ],
    [
      'auto, cap 2 (stripping is enough, nothing dropped)',
      { diacritics: 'auto', maxSegments: 2 },
      { ok: true, text: FULL_STRIPPED, encoding: 'GSM-7', segments: 2, diacritics: 'strip', dropped: 0 },
    ],
    [
      'auto, cap 1 (stripped, then optional parts dropped)',
      { diacritics: 'auto', maxSegments: 1 },
      { ok: true, text: CORE_STRIPPED, encoding: 'GSM-7', segments: 1, diacritics: 'strip', dropped: 2 },
    ],
  ])('when the 215-character invitation is sent with %s, then the result is as expected', (_name, policy, expected) => {
    expect(applySmsPolicy(INVITATION, policy)).toEqual(expected);
  });

  test('when stripping would not save a segment, then auto keeps the diacritics', () => {
    expect(applySmsPolicy([{ text: 'Hủy họp chiều nay.' }], { diacritics: 'auto' })).toEqual({
      ok: true,
      text: 'Hủy họp chiều nay.',
      encoding: 'UCS-2',
      segments: 1,
      diacritics: 'keep',
      dropped: 0,
    });
  });

  test('when the text stays UCS-2 even stripped (an emoji), then auto keeps the diacritics', () => {
    const text = `${'Thông báo khẩn '.repeat(5)}📣`;
    const result = applySmsPolicy([{ text }], { diacritics: 'auto' });
    expect(result).toMatchObject({ ok: true, encoding: 'UCS-2', diacritics: 'keep', text });
  });

  test('when there are no optional parts and the text is over the cap, then it fails naming the count and the cap', () => {
    const result = applySmsPolicy([{ text: FULL }], { diacritics: 'strip', maxSegments: 1 });
    expect(result).toEqual({
      ok: false,
      reason: 'SMS needs 2 segments (GSM-7, without diacritics), over the cap of 1',
      segments: 2,
    });
  });

  test('when optional parts sit between required ones, then they are dropped last first and the required ones stay', () => {
    const parts: SmsPart[] = [
      { text: 'A'.repeat(100) },
      { text: 'B'.repeat(40), optional: true },
      { text: 'C'.repeat(10) },
      { text: 'D'.repeat(40), optional: true },
    ];
    expect(applySmsPolicy(parts, { diacritics: 'keep', maxSegments: 1 })).toMatchObject({
      ok: true,
      text: `${'A'.repeat(100)}${'B'.repeat(40)}${'C'.repeat(10)}`,
      dropped: 1,
    });
  });

  test('when the parts arrive decomposed (NFD), then they are sent and counted as NFC', () => {
    const result = applySmsPolicy([{ text: 'Hội nghị'.normalize('NFD') }], { diacritics: 'keep' });
    expect(result).toEqual({ ok: true, text: 'Hội nghị', encoding: 'UCS-2', segments: 1, diacritics: 'keep', dropped: 0 });
  });

  test('when there are no parts, then the result is an empty single-segment GSM-7 message', () => {
    expect(applySmsPolicy([], { diacritics: 'auto', maxSegments: 1 })).toEqual({
      ok: true,
      text: '',
      encoding: 'GSM-7',
      segments: 1,
      diacritics: 'keep',
      dropped: 0,
    });
  });

  test.each([0, -1, 1.5, Number.NaN])('when maxSegments is %p, then it is rejected as a programming error', (maxSegments) => {
    expect(() => applySmsPolicy([{ text: 'x' }], { diacritics: 'keep', maxSegments })).toThrow(RangeError);
  });
});
