import { cleanSmsText, stripDiacritics } from './diacritics';
import { isGsm7 } from './sms-segments';

// Written out by hand (not derived with NFD) so the test checks the algorithm, not itself.
// Tone order in each row: none, huyền, sắc, hỏi, ngã, nặng.
const VOWELS: ReadonlyArray<readonly [letter: string, forms: string, expected: string]> = [
  ['a', 'a à á ả ã ạ', 'a a a a a a'],
  ['ă', 'ă ằ ắ ẳ ẵ ặ', 'a a a a a a'],
  ['â', 'â ầ ấ ẩ ẫ ậ', 'a a a a a a'],
  ['e', 'e è é ẻ ẽ ẹ', 'e e e e e e'],
  ['ê', 'ê ề ế ể ễ ệ', 'e e e e e e'],
  ['i', 'i ì í ỉ ĩ ị', 'i i i i i i'],
  ['o', 'o ò ó ỏ õ ọ', 'o o o o o o'],
  ['ô', 'ô ồ ố ổ ỗ ộ', 'o o o o o o'],
  ['ơ', 'ơ ờ ớ ở ỡ ợ', 'o o o o o o'],
  ['u', 'u ù ú ủ ũ ụ', 'u u u u u u'],
  ['ư', 'ư ừ ứ ử ữ ự', 'u u u u u u'],
  ['y', 'y ỳ ý ỷ ỹ ỵ', 'y y y y y y'],
  ['A', 'A À Á Ả Ã Ạ', 'A A A A A A'],
  ['Ă', 'Ă Ằ Ắ Ẳ Ẵ Ặ', 'A A A A A A'],
  ['Â', 'Â Ầ Ấ Ẩ Ẫ Ậ', 'A A A A A A'],
  ['E', 'E È É Ẻ Ẽ Ẹ', 'E E E E E E'],
  ['Ê', 'Ê Ề Ế Ể Ễ Ệ', 'E E E E E E'],
  ['I', 'I Ì Í Ỉ Ĩ Ị', 'I I I I I I'],
  ['O', 'O Ò Ó Ỏ Õ Ọ', 'O O O O O O'],
  ['Ô', 'Ô Ồ Ố Ổ Ỗ Ộ', 'O O O O O O'],
  ['Ơ', 'Ơ Ờ Ớ Ở Ỡ Ợ', 'O O O O O O'],
  ['U', 'U Ù Ú Ủ Ũ Ụ', 'U U U U U U'],
  ['Ư', 'Ư Ừ Ứ Ử Ữ Ự', 'U U U U U U'],
  ['Y', 'Y Ỳ Ý Ỷ Ỹ Ỵ', 'Y Y Y Y Y Y'],
];

describe('stripDiacritics', () => {
  describe('the table itself', () => {
    test('when the table is read, then it covers 12 vowels in both cases with 6 distinct precomposed forms each', () => {
      expect(VOWELS).toHaveLength(24);
      for (const [, forms] of VOWELS) {
        const letters = forms.split(' ');
        expect(letters).toHaveLength(6);
        expect(new Set(letters).size).toBe(6);
        for (const letter of letters) {
          expect(letter).toHaveLength(1);
          expect(letter.normalize('NFC')).toBe(letter);
        }
      }
    });

    test('when the upper-case rows are compared with the lower-case rows, then they are the same letters', () => {
      const lower = VOWELS.slice(0, 12).map(([, forms]) => forms.toUpperCase());
      const upper = VOWELS.slice(12).map(([, forms]) => forms);
      expect(upper).toEqual(lower);
    });
  });

  test.each(VOWELS)('when "%s" carries every tone, then each form becomes its bare letter', (_letter, forms, expected) => {
    expect(stripDiacritics(forms)).toBe(expected);
  });

  test.each(VOWELS)('when "%s" with every tone arrives decomposed (NFD), then the result is the same', (_letter, forms, expected) => {
    expect(stripDiacritics(forms.normalize('NFD'))).toBe(expected);
  });

  test('when the text holds ỷ ỹ ỵ Ỷ Ỹ Ỵ (missed by remove-accents 0.5.0), then they become y and Y', () => {
    expect(stripDiacritics('ỷ ỹ ỵ Ỷ Ỹ Ỵ')).toBe('y y y Y Y Y');
  });

  test('when the text holds đ and Đ, which do not decompose, then they become d and D', () => {
    expect(stripDiacritics('đ Đ Đảng đồng chí')).toBe('d D Dang dong chi');
  });

  test('when every Vietnamese consonant is given, then it is unchanged', () => {
    const consonants = 'b c d g h k l m n p q r s t v x B C D G H K L M N P Q R S T V X';
    expect(stripDiacritics(consonants)).toBe(consonants);
  });

  test.each([
    ['‘Khẩn’', "'Khan'"],
    ['“Hỏa tốc”', '"Hoa toc"'],
    ['2025–2030', '2025-2030'],
    ['Thành ủy — Văn phòng', 'Thanh uy - Van phong'],
    ['Đang cập nhật…', 'Dang cap nhat...'],
    ['08\u00a0giờ\u202f00', '08 gio 00'],
  ])('when the text is %j, then punctuation and spaces become ASCII: %j', (input, expected) => {
    expect(stripDiacritics(input)).toBe(expected);
  });

  test('when a real sentence is stripped, then it reads as the usual "không dấu" text', () => {
    expect(stripDiacritics('Đồng chí Nguyễn Thị Thu Hà, Phó Bí thư Thường trực Thành ủy dự Hội nghị quán triệt Nghị quyết.')).toBe(
      'Dong chi Nguyen Thi Thu Ha, Pho Bi thu Thuong truc Thanh uy du Hoi nghi quan triet Nghi quyet.',
    );
  });

  test('when the text is plain ASCII, then it is returned unchanged', () => {
    const ascii = 'Giay moi hop: 08:00 29/9/2025 (Phong 1) https://hop.example.vn/m/123?x=1&y=2';
    expect(stripDiacritics(ascii)).toBe(ascii);
  });

  test('when the text is empty, then the result is empty', () => {
    expect(stripDiacritics('')).toBe('');
  });

  test.each([
    ['Bạch Ðằng, Ðà Nẵng', 'Bach Dang, Da Nang'],
    ['ðồng chí', 'dong chi'],
    ['Hội\u200bnghị\ufeff\u00ad', 'Hoinghi'],
    ['• Mục 1 · Mục 2', '- Muc 1 - Muc 2'],
    ['25°C, 3×4, «trích»', '25oC, 3x4, "trich"'],
    ['Ｈọp ﬁ ²', 'Hop fi 2'],
    ['Họp 📅 chiều', 'Hop chieu'],
    ['a\tb', 'a b'],
  ])('when the text is %j, then every character becomes GSM-7 or goes: %j', (input, expected) => {
    expect(stripDiacritics(input)).toBe(expected);
  });

  test('when every BMP character is stripped, then nothing outside GSM-7 is left', () => {
    let all = '';
    for (let code = 0x20; code < 0xd800; code++) all += String.fromCharCode(code);
    expect(Array.from(stripDiacritics(all)).filter((ch) => !isGsm7(ch))).toEqual([]);
  });

  test('when marks are kept, then invisible characters go and spaces are plain, and the letters stay', () => {
    expect(cleanSmsText('Hội\u200b nghị\u00a0Ðà\ufeff\u00ad\tNẵng'.normalize('NFD'))).toBe('Hội nghị Ðà Nẵng');
  });
});
