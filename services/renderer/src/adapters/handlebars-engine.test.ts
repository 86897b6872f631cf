import { TemplateError, type TemplateEngine } from '../domain';
import { createTemplateEngine } from './handlebars-engine';

function caught(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  throw new Error('expected a TemplateError, nothing was thrown');
}

describe('createTemplateEngine', () => {
  let engine: TemplateEngine;
  beforeEach(() => {
    engine = createTemplateEngine();
  });

  const text = (source: string, data: object = {}): string => engine.compile(source, { mode: 'text', name: 'test/sms' }).render(data);
  const html = (source: string, data: object = {}): string => engine.compile(source, { mode: 'html', name: 'test/email' }).render(data);

  describe('strict mode', () => {
    test('when a field is missing, then rendering throws a TemplateError naming the template and the field', () => {
      const template = engine.compile('Kính mời đồng chí dự họp tại {{place}}.', { mode: 'text', name: 'meeting-invitation/sms' });
      const err = caught(() => template.render({ title: 'x' }));
      expect(err.template).toBe('meeting-invitation/sms');
      expect(err.field).toBe('place');
      expect(err.phase).toBe('render');
      expect(err.retriable).toBe(false);
      expect(err.message).toBe('template "meeting-invitation/sms" failed to render: missing field "place" at line 1, column 32');
      expect(err.cause).toBeInstanceOf(Error);
    });

    test('when a nested field is missing, then the error names its last segment', () => {
      const err = caught(() => text('{{meeting.place}}', { meeting: {} }));
      expect(err.field).toBe('place');
    });

    test('when a helper argument is missing (strict does not check those), then our helper throws naming the field path', () => {
      const err = caught(() => text('Họp lúc\n  {{vnDateTime meeting.start}}', { meeting: {} }));
      expect(err.field).toBe('meeting.start');
      expect(err.message).toBe(
        'template "test/sms" failed to render: missing field "meeting.start" (argument 1 of vnDateTime) at line 2, column 3',
      );
    });

    test('when a missing argument sits in a subexpression, then that argument is named', () => {
      const err = caught(() => text('{{#if (eq urgency "khan")}}!{{/if}}', {}));
      expect(err.field).toBe('urgency');
      expect(err.message).toMatch(/argument 1 of eq/);
    });

    test('when an optional field is absent, then {{#if}} renders the else branch (Handlebars does not check #if arguments)', () => {
      const source = '{{#if link}}Trực tuyến: {{link}}{{else}}Họp trực tiếp{{/if}}';
      expect(text(source, {})).toBe('Họp trực tiếp');
      expect(text(source, { link: null })).toBe('Họp trực tiếp');
      expect(text(source, { link: 'https://hop.example.vn/1' })).toBe('Trực tuyến: https://hop.example.vn/1');
    });

    test('when #if tests a field of a missing object, then it throws, so callers pass explicit nulls for absent objects', () => {
      const source = '{{#if online.link}}{{online.link}}{{/if}}';
      expect(() => text(source, {})).toThrow(TemplateError);
      expect(text(source, { online: { link: null } })).toBe('');
      expect(text(source, { online: {} })).toBe('');
    });

    test('when an inverse section names a missing field, then it throws like a plain {{field}}', () => {
      expect(caught(() => text('{{^documents}}Không có tài liệu{{/documents}}', {})).field).toBe('documents');
      expect(text('{{^documents}}Không có tài liệu{{/documents}}', { documents: [] })).toBe('Không có tài liệu');
    });

    test('when #each gets a list of objects, then strict mode checks the fields of each item', () => {
      const source = '{{#each documents}}{{name}}: {{url}}\n{{/each}}';
      expect(text(source, { documents: [{ name: 'Tài liệu 1', url: 'https://d/1' }] })).toBe('Tài liệu 1: https://d/1\n');
      expect(caught(() => text(source, { documents: [{ name: 'Tài liệu 1' }] })).field).toBe('url');
    });
  });

  describe('helpers', () => {
    test('when a template uses an unknown helper, then compile fails with a TemplateError before any render', () => {
      const err = caught(() => engine.compile('{{formatMoney amount}}', { mode: 'text', name: 'bad/sms' }));
      expect(err.phase).toBe('compile');
      expect(err.template).toBe('bad/sms');
      expect(err.message).toMatch(/unknown helper formatMoney/);
    });

    test.each(['{{log x}}', '{{lookup docs 0}}', '{{#if (formatMoney x)}}x{{/if}}'])(
      'when a template uses %j (removed or unknown), then compile fails',
      (source) => {
        expect(() => engine.compile(source, { mode: 'text', name: 't' })).toThrow(/knownHelpersOnly, but used the unknown helper/);
      },
    );

    test('when the template has a syntax error, then compile fails with a TemplateError', () => {
      expect(caught(() => engine.compile('{{#if x}}open', { mode: 'text', name: 't' })).phase).toBe('compile');
    });

    test('when the Vietnamese date helpers are used, then they render official style in Hà Nội time', () => {
      const data = { start: '2025-09-29T01:00:00Z', end: '2025-09-29T04:30:00Z', deadline: '2025-10-15' };
      expect(text('{{vnDateTime start}}|{{vnDate start}}|{{vnTime start}}|{{vnDateShort deadline}}', data)).toBe(
        '08 giờ 00, Thứ Hai, ngày 29/9/2025|Thứ Hai, ngày 29/9/2025|08 giờ 00|15/10/2025',
      );
      expect(text('{{vnTimeRange start end}}', data)).toBe('từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 29/9/2025');
    });

    test('when the label helpers are used, then slugs become Vietnamese labels', () => {
      expect(text('{{urgencyLabel u}} / {{secrecyLabel s}}', { u: 'thuong-khan', s: 'toi-mat' })).toBe('Thượng khẩn / Tối mật');
    });

    test('when a helper gets a value it cannot use, then the TemplateError names the helper and the reason', () => {
      const err = caught(() => text('{{urgencyLabel u}}', { u: 'gap' }));
      expect(err.message).toMatch(/helper "urgencyLabel" at line 1, column 1: unknown urgency "gap"/);
      expect(caught(() => text('{{vnDate d}}', { d: null })).message).toMatch(/expected an ISO 8601 date string, got null/);
      expect(caught(() => text('{{vnDate d}}', { d: '29/9/2025' })).message).toMatch(/cannot read "29\/9\/2025" as a date/);
    });

    test('when a helper gets the wrong number of arguments, then it says how many it takes', () => {
      expect(caught(() => text('{{vnDate}}')).message).toMatch(/helper "vnDate" .*takes 1 argument\(s\), got 0/);
      expect(caught(() => text('{{eq a}}', { a: 1 })).message).toMatch(/takes 2 argument\(s\), got 1/);
    });

    test.each<[string, object, string]>([
      ['{{#if (eq urgency "hoa-toc")}}HỎA TỐC{{else}}-{{/if}}', { urgency: 'hoa-toc' }, 'HỎA TỐC'],
      ['{{#if (eq count 2)}}y{{else}}n{{/if}}', { count: '2' }, 'n'],
      ['{{#if (and confirm link)}}y{{else}}n{{/if}}', { confirm: true, link: null }, 'n'],
      ['{{#if (and confirm link docs)}}y{{else}}n{{/if}}', { confirm: true, link: 'l', docs: ['a'] }, 'y'],
      ['{{#if (or online place)}}y{{else}}n{{/if}}', { online: null, place: 'P' }, 'y'],
      ['{{#if (or online docs)}}y{{else}}n{{/if}}', { online: '', docs: [] }, 'n'],
      ['{{#if (not cancelled)}}y{{else}}n{{/if}}', { cancelled: false }, 'y'],
      ['{{#if (not docs)}}empty{{/if}}', { docs: [] }, 'empty'],
    ])('when %s renders with %j, then the result is %j', (source, data, expected) => {
      expect(text(source, data)).toBe(expected);
    });

    test('when join gets a list, then items are joined with the separator (", " by default)', () => {
      expect(text('{{join units}}', { units: ['Phường Ba Đình', 'Xã Sóc Sơn'] })).toBe('Phường Ba Đình, Xã Sóc Sơn');
      expect(text('{{join units "; "}}', { units: ['A', 'B', 3] })).toBe('A; B; 3');
      expect(caught(() => text('{{join units}}', { units: 'A' })).message).toMatch(/expected a list, got string/);
    });

    test('when upper gets Vietnamese text, even decomposed, then every letter and mark is upper-cased and precomposed', () => {
      expect(text('{{upper s}}', { s: 'hủy họp: đồng chí ơi, ưu tiên ỷ ỹ ỵ' })).toBe('HỦY HỌP: ĐỒNG CHÍ ƠI, ƯU TIÊN Ỷ Ỹ Ỵ');
      expect(text('{{upper s}}', { s: 'thay đổi'.normalize('NFD') })).toBe('THAY ĐỔI');
    });
  });

  describe('escaping', () => {
    const value = { summary: '<script>alert("x")</script> & “Đảng”' };

    test('when a value holds <script> in html mode, then it is escaped', () => {
      expect(html('<p>{{summary}}</p>', value)).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; “Đảng”</p>');
    });

    test('when a value holds <script> in text mode, then it is left intact', () => {
      expect(text('{{summary}}', value)).toBe('<script>alert("x")</script> & “Đảng”');
    });

    test('when a helper returns text with markup in html mode, then that is escaped too', () => {
      expect(html('{{upper s}}|{{join xs " "}}', { s: '<b>', xs: ['<i>', 'a&b'] })).toBe('&lt;B&gt;|&lt;i&gt; a&amp;b');
    });
  });

  describe('safety', () => {
    test('when a template reaches for prototype members, then nothing is exposed (Handlebars logs a warning once)', () => {
      const warn = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect(text('[{{__proto__}}][{{toString}}]', {})).toBe('[][]');
        expect(() => text('{{constructor.name}}', {})).toThrow(TemplateError);
      } finally {
        warn.mockRestore();
      }
    });

    test('when two engines are created, then partials registered on one are unknown to the other', () => {
      const other = createTemplateEngine();
      engine.registerPartial('footer', 'Văn phòng Thành ủy');
      expect(engine.compile('{{> footer}}', { mode: 'html', name: 'a' }).render({})).toBe('Văn phòng Thành ủy');
      expect(() => other.compile('{{> footer}}', { mode: 'html', name: 'b' }).render({})).toThrow(/partial footer could not be found/);
    });
  });

  describe('partials', () => {
    test('when an email layout partial wraps a body, then the body is placed in it and escaping applies', () => {
      engine.registerPartial('layout', '<html><body><h1>{{heading}}</h1>{{> @partial-block}}<footer>{{orgName}}</footer></body></html>');
      const template = engine.compile('{{#> layout heading="Giấy mời họp"}}<p>{{title}}</p>{{/layout}}', {
        mode: 'html',
        name: 'meeting-invitation/email',
      });
      expect(template.render({ title: 'Hội nghị <sơ kết>', orgName: 'Thành ủy' })).toBe(
        '<html><body><h1>Giấy mời họp</h1><p>Hội nghị &lt;sơ kết&gt;</p><footer>Thành ủy</footer></body></html>',
      );
    });

    test('when a partial uses an unknown helper, then registering it fails', () => {
      expect(() => engine.registerPartial('bad', '{{formatMoney x}}')).toThrow(/template "partial bad" failed to compile/);
    });

    test('when a field the partial needs is missing, then strict mode applies inside the partial too', () => {
      engine.registerPartial('footer', '{{orgName}}');
      const err = caught(() => engine.compile('x {{> footer}}', { mode: 'html', name: 'email' }).render({}));
      expect(err.field).toBe('orgName');
    });

    test('when a helper argument inside a partial is missing, then the error names the field and the partial', () => {
      engine.registerPartial('when', '{{vnDateTime start}}', { mode: 'text' });
      const err = caught(() => engine.compile('Thời gian: {{> when}}', { mode: 'text', name: 'sms' }).render({}));
      expect(err.field).toBe('start');
      expect(err.message).toBe(
        'template "sms" failed to render: missing field "start" (argument 1 of vnDateTime) at line 1, column 1 in partial when',
      );
    });
  });

  test('when a compiled template renders many times, then the output is the same each time', () => {
    const template = engine.compile('{{title}} - {{vnDateShort d}}', { mode: 'text', name: 't' });
    const data = { title: 'Họp', d: '2025-09-29' };
    expect(new Set(Array.from({ length: 5 }, () => template.render(data)))).toEqual(new Set(['Họp - 29/9/2025']));
    expect(template).toMatchObject({ name: 't', mode: 'text' });
  });
});
