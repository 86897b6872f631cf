import { applySmsPolicy, markShortenable, markWhole, SmsPolicyMemo, type SmsPart, type SmsPolicy, type SmsPolicyResult } from './sms-policy';

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
      { text: FULL, encoding: 'UCS-2', segments: 4, diacritics: 'keep', dropped: 0, shortened: false, overCap: false },
    ],
    [
      'strip, no cap',
      { diacritics: 'strip' },
      { text: FULL_STRIPPED, encoding: 'GSM-7', segments: 2, diacritics: 'strip', dropped: 0, shortened: false, overCap: false },
    ],
    [
      'auto, no cap',
      { diacritics: 'auto' },
      { text: FULL_STRIPPED, encoding: 'GSM-7', segments: 2, diacritics: 'strip', dropped: 0, shortened: false, overCap: false },
    ],
    [
      'keep, cap 4 (exactly fits)',
      { diacritics: 'keep', maxSegments: 4 },
      { text: FULL, encoding: 'UCS-2', segments: 4, diacritics: 'keep', dropped: 0, shortened: false, overCap: false },
    ],
    [
      'keep, cap 3 (the last optional part goes)',
      { diacritics: 'keep', maxSegments: 3 },
      { text: WITHOUT_LINK, encoding: 'UCS-2', segments: 3, diacritics: 'keep', dropped: 1, shortened: false, overCap: false },
    ],
    [
      'keep, cap 2 (both optional parts go)',
      { diacritics: 'keep', maxSegments: 2 },
      { text: CORE, encoding: 'UCS-2', segments: 2, diacritics: 'keep', dropped: 2, shortened: false, overCap: false },
    ],
    [
      'keep, cap 1 (nothing left to drop: the text is cut, not dropped)',
      { diacritics: 'keep', maxSegments: 1 },
      { text: 'Văn phòng Thành ủy trân trọng kính mời đồng chí dự Hội nghị sơ kết…', encoding: 'UCS-2', segments: 1, diacritics: 'keep', dropped: 2, shortened: true, overCap: false },
    ],
    [
      'auto, cap 2 (stripping is enough, nothing dropped)',
      { diacritics: 'auto', maxSegments: 2 },
      { text: FULL_STRIPPED, encoding: 'GSM-7', segments: 2, diacritics: 'strip', dropped: 0, shortened: false, overCap: false },
    ],
    [
      'auto, cap 1 (stripped, then optional parts dropped)',
      { diacritics: 'auto', maxSegments: 1 },
      { text: CORE_STRIPPED, encoding: 'GSM-7', segments: 1, diacritics: 'strip', dropped: 2, shortened: false, overCap: false },
    ],
  ])('when the 215-character invitation is sent with %s, then the result is as expected', (_name, policy, expected) => {
    expect(applySmsPolicy(INVITATION, policy)).toEqual(expected);
  });

  test('when stripping would not save a segment, then auto keeps the diacritics', () => {
    expect(applySmsPolicy([{ text: 'Hủy họp chiều nay.' }], { diacritics: 'auto' })).toEqual({
      text: 'Hủy họp chiều nay.',
      encoding: 'UCS-2',
      segments: 1,
      diacritics: 'keep',
      dropped: 0,
      shortened: false,
      overCap: false,
    });
  });

  test('when the text holds an emoji, then auto strips it with the marks to reach GSM-7, and keep sends it in UCS-2', () => {
    const text = `${'Thông báo khẩn '.repeat(5)}📣`;
    expect(applySmsPolicy([{ text }], { diacritics: 'auto' })).toMatchObject({ encoding: 'GSM-7', diacritics: 'strip', text: 'Thong bao khan '.repeat(5) });
    expect(applySmsPolicy([{ text }], { diacritics: 'keep' })).toMatchObject({ encoding: 'UCS-2', diacritics: 'keep', text });
  });

  test('when there are no optional parts and nothing is marked, then the whole text is cut to the cap with "..."', () => {
    const result = applySmsPolicy([{ text: FULL }], { diacritics: 'strip', maxSegments: 1 });
    expect(result).toMatchObject({ encoding: 'GSM-7', segments: 1, diacritics: 'strip', dropped: 0, shortened: true, overCap: false });
    expect(result.text.endsWith('...')).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(160);
    expect(FULL_STRIPPED.startsWith(result.text.slice(0, -3))).toBe(true);
  });

  test('when optional parts sit between required ones, then they are dropped last first and the required ones stay', () => {
    const parts: SmsPart[] = [
      { text: 'A'.repeat(100) },
      { text: 'B'.repeat(40), optional: true },
      { text: 'C'.repeat(10) },
      { text: 'D'.repeat(40), optional: true },
    ];
    expect(applySmsPolicy(parts, { diacritics: 'keep', maxSegments: 1 })).toMatchObject({
      text: `${'A'.repeat(100)}${'B'.repeat(40)}${'C'.repeat(10)}`,
      dropped: 1,
    });
  });

  test('when the parts arrive decomposed (NFD), then they are sent and counted as NFC', () => {
    const result = applySmsPolicy([{ text: 'Hội nghị'.normalize('NFD') }], { diacritics: 'keep' });
    expect(result).toEqual({ text: 'Hội nghị', encoding: 'UCS-2', segments: 1, diacritics: 'keep', dropped: 0, shortened: false, overCap: false });
  });

  test('when there are no parts, then the result is an empty single-segment GSM-7 message', () => {
    expect(applySmsPolicy([], { diacritics: 'auto', maxSegments: 1 })).toEqual({
      text: '',
      encoding: 'GSM-7',
      segments: 1,
      diacritics: 'keep',
      dropped: 0,
      shortened: false,
      overCap: false,
    });
  });

  test.each([0, -1, 1.5, Number.NaN])('when maxSegments is %p, then it is rejected as a programming error', (maxSegments) => {
    expect(() => applySmsPolicy([{ text: 'x' }], { diacritics: 'keep', maxSegments })).toThrow(RangeError);
  });

  describe('shortening marked fields', () => {
    const title = `Hội nghị ${'tổng kết công tác '.repeat(30)}`.trim();
    const chair = `Đồng chí ${'Phó Bí thư '.repeat(20)}`.trim();
    const parts = (t = title): SmsPart[] => [
      { text: `GIẤY MỜI: ${markShortenable(t, 2)}. Thời gian: 08 giờ 00, ngày 29/9/2025.` },
      { text: ` Chủ trì: ${markShortenable(chair, 1)}.` },
      { text: ' Xem: https://hop.tu.vn/x/7Kq2' },
    ];

    test('when the required parts are over the cap, then the chair (tier 1) is cut before the title (tier 2), and the time and link stay', () => {
      const result = applySmsPolicy(parts('Hội nghị tổng kết công tác năm 2025'), { diacritics: 'auto', maxSegments: 1 });
      expect(result).toMatchObject({ encoding: 'GSM-7', segments: 1, shortened: true, overCap: false });
      expect(result.text).toContain('GIAY MOI: Hoi nghi tong ket cong tac nam 2025. Thoi gian: 08 gio 00, ngay 29/9/2025.');
      expect(result.text).toMatch(/Chu tri: Dong chi Pho Bi thu.*\.\.\. Xem: https:\/\/hop\.tu\.vn\/x\/7Kq2$/);
    });

    test('when cutting the chair is not enough, then the title is cut too, with "..." in GSM-7 and "…" in UCS-2', () => {
      const stripped = applySmsPolicy(parts(), { diacritics: 'strip', maxSegments: 2 });
      expect(stripped).toMatchObject({ segments: 2, shortened: true, overCap: false });
      expect(stripped.text).toMatch(/^GIAY MOI: Hoi nghi tong ket.*\.\.\. Thoi gian: 08 gio 00, ngay 29\/9\/2025\. Chu tri: .*\.\.\. Xem: https:/);
      const kept = applySmsPolicy(parts(), { diacritics: 'keep', maxSegments: 3 });
      expect(kept).toMatchObject({ encoding: 'UCS-2', segments: 3, shortened: true, overCap: false });
      expect(kept.text).toMatch(/^GIẤY MỜI: Hội nghị tổng kết.*… Thời gian: 08 giờ 00, ngày 29\/9\/2025\. Chủ trì: .*… Xem: https:/);
      expect(kept.text).not.toContain('….');
    });

    describe('the last resort keeps links, times and numbers whole', () => {
      const link = 'https://vanban.danang.gov.vn/van-ban/2025/09/1234-QD-UBND?ma=7Kq2xZ';
      // The reviewer's case: an unmarked field the size of a page sits before the link, so
      // cutting the end of the whole text cut the link.
      const page: SmsPart[] = [
        { text: `Kính gửi ${'Ban Chỉ đạo phòng, chống tham nhũng, tiêu cực '.repeat(8)}` },
        { text: `văn bản số ${markWhole('1234/QĐ-UBND')} về ${markShortenable(title, 2)}.` },
        { text: ` Hạn xử lý: ${markWhole('17 giờ 00, Chủ Nhật, ngày 28/9/2025')}.` },
        { text: ` Xem văn bản: ${markWhole(link)}` },
      ];

      test.each([1, 2])('when an unmarked field the size of a page precedes the link at a cap of %i, then the text before it is cut and the link, time and number stay whole', (maxSegments) => {
        const result = applySmsPolicy(page, { diacritics: 'auto', maxSegments });
        expect(result).toMatchObject({ encoding: 'GSM-7', segments: maxSegments, shortened: true, overCap: false });
        expect(result.text.endsWith(` ${link}`)).toBe(true);
        expect(result.text).toContain('1234/QD-UBND');
        expect(result.text).toContain('17 gio 00, Chu Nhat, ngay 28/9/2025');
        expect(result.text).toMatch(/^Kinh( gui)?.*\.\.\. 1234\/QD-UBND ve Hoi nghi/);
      });

      test('when the parts kept whole alone are over the cap, then the SMS goes over the cap with them whole and nothing else', () => {
        const long = `https://vanban.danang.gov.vn/van-ban/${'a1b2c3d4'.repeat(20)}`;
        const parts: SmsPart[] = [{ text: `Văn bản ${markShortenable(title, 2)}, xem: ${markWhole(long)} trước ${markWhole('17 giờ 00')}.` }];
        const result = applySmsPolicy(parts, { diacritics: 'auto', maxSegments: 1 });
        expect(result).toMatchObject({ encoding: 'GSM-7', segments: 2, shortened: true, overCap: true });
        expect(result.text).toBe(`${long} 17 gio 00`);
      });

      test('when a marked span sits inside a kept-whole span, then the markers are dropped and the text kept', () => {
        expect(applySmsPolicy([{ text: markWhole(`a${markShortenable('b', 1)}c`) }], { diacritics: 'keep' }).text).toBe('abc');
      });
    });

    test('when event text itself holds the marker characters, then they are dropped and never reach the SMS', () => {
      const result = applySmsPolicy([{ text: `a\ue000b${markShortenable('c\ue001d\ue002e', 2)}f\ue002` }], { diacritics: 'keep' });
      expect(result.text).toBe('abcdef');
    });
  });
});

describe('one memo shared by an event\'s recipients', () => {
  const title = `Hội nghị ${'quán triệt và triển khai Nghị quyết của Ban Chấp hành Trung ương Đảng khóa XIII, '.repeat(4)}`.slice(0, 300);
  const names = ['Nguyễn Văn A', 'Trần Thị Bích Ngọc', 'Lê Văn Thành 00001', 'Lê Văn Thành 00002', 'Ðỗ «Hùng»', 'Phạm\u200b Văn\u00a0Tú', 'Võ [Minh] {An} €', '📅 Hà', 'Ngô Văn . Bình...', '. Đặng Văn Lâm'];
  const parts = (name: string, chair: string): SmsPart[] => [
    { text: `Kính gửi đồng chí ${name}: GIẤY MỜI ${markWhole('512-GM/TU')}: ${markShortenable(title, 2)}. Thời gian: ${markWhole('từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 29/9/2025')}.` },
    { text: ` Trực tuyến: ${markWhole('https://hop.tu.vn/x/7Kq2')}`, optional: true },
    { text: ` Địa điểm: ${markShortenable('Hội trường Thành ủy, 08 Bạch Đằng', 2)}. ${name} xác nhận tham dự.` },
    { text: ` Chủ trì: ${markShortenable(chair, 1)}.`, optional: true },
  ];

  test.each<SmsPolicy>([
    { diacritics: 'auto', maxSegments: 3 },
    { diacritics: 'auto', maxSegments: 2 },
    { diacritics: 'strip', maxSegments: 1 },
    { diacritics: 'keep', maxSegments: 3 },
    { diacritics: 'keep', maxSegments: 1 },
  ])('when the SMS greets each recipient by name (%j), then every result equals the one computed without the memo', (policy) => {
    const memo = new SmsPolicyMemo();
    for (const chair of ['Bí thư Thành ủy', `Đồng chí ${'Phó Bí thư '.repeat(12)}`]) {
      for (const name of [...names, ...names]) {
        expect(applySmsPolicy(parts(name, chair), policy, memo)).toEqual(applySmsPolicy(parts(name, chair), policy));
      }
    }
  });

  test('when names of one shape share the memo, then the search for where to cut is remembered once for them', () => {
    const memo = new SmsPolicyMemo();
    for (const name of ['Lê Văn Thành 00001', 'Lê Văn Thành 00002', 'Lê Văn Thành 00003']) applySmsPolicy(parts(name, 'Bí thư'), { diacritics: 'auto', maxSegments: 2 }, memo);
    expect(memo.plans.size).toBe(1);
  });
});
