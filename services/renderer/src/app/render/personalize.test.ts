import Handlebars from 'handlebars';
import type { TemplateMode } from '../../domain';
import { createTemplateEngine } from '../../adapters/handlebars-engine';
import { analyzeRecipientUse, PartRenderer, type Part } from './personalize';
import { realTemplates } from '../../../test/render-support';
import type { RecipientView } from './view-model';

const PARTIALS = new Map([
  ['greeting-html', Handlebars.parse('Kính gửi đồng chí {{recipient.name}}')],
  ['plain-text', Handlebars.parse('{{meeting.title}}')],
]);

const use = (source: string, mode: TemplateMode = 'text') => analyzeRecipientUse(Handlebars.parse(source), mode, PARTIALS);

describe('analyzeRecipientUse', () => {
  test.each([
    ['{{meeting.title}} {{#each meeting.agendaItems}}{{no}}. {{text}}{{/each}}'],
    ['{{#if meeting.number}}Số {{meeting.number}}{{/if}} {{upper meeting.title}}'],
    ['{{> plain-text}}'],
  ])('when %s never reaches the recipient, then it is rendered once per event', (source) => {
    expect(use(source)).toEqual({ kind: 'none' });
  });

  test('when the recipient is only printed or tested at the top, then its fields are filled in per recipient', () => {
    expect(use('Kính gửi {{recipient.name}}{{#if recipient.title}}, {{recipient.title}}{{/if}}', 'html')).toEqual({
      kind: 'fields',
      fields: [
        { name: 'name', escape: true },
        { name: 'title', escape: true },
      ],
    });
    expect(use('{{#unless recipient.unit}}-{{/unless}}{{recipient.name}}')).toEqual({
      kind: 'fields',
      fields: [
        { name: 'name', escape: false },
        { name: 'unit', escape: false },
      ],
    });
    expect(use('{{#> greeting-html}}x{{/greeting-html}}', 'html')).toEqual({ kind: 'fields', fields: [{ name: 'name', escape: true }] });
  });

  test.each([
    ['{{upper recipient.name}}', 'is passed to a helper'],
    ['{{#if (eq recipient.name "A")}}x{{/if}}', 'is passed to a helper'],
    ['{{#each meeting.attachments}}{{../recipient.name}}{{/each}}', 'outside the top context'],
    ['{{#with recipient}}{{name}}{{/with}}', 'is passed to a helper'],
    ['{{@root.recipient.name}}', 'outside the top context'],
    ['{{#each this}}{{this}}{{/each}}', 'root context'],
    ['{{recipient}}', 'outside the top context'],
    ['{{> greeting-html recipient}}', 'partial is called with arguments'],
  ])('when %s reaches the recipient another way, then it is rendered per recipient', (source, why) => {
    const result = use(source);
    expect(result.kind).toBe('any');
    expect(result.kind === 'any' && result.why).toContain(why);
  });

  test('when an HTML part prints a field both escaped and raw, then it is rendered per recipient', () => {
    expect(use('{{recipient.name}} {{{recipient.name}}}', 'html').kind).toBe('any');
  });

  test('when the real templates are loaded, then the email bodies depend on the recipient, the SMS and in-app body only through the personal link, all through plain fields', () => {
    const set = realTemplates().forType('meeting.scheduled').standard;
    expect(set.emailHtml.use).toEqual({ kind: 'fields', fields: [{ name: 'confirmLink', escape: true }, { name: 'name', escape: true }, { name: 'title', escape: true }] });
    expect(set.emailText.use).toEqual({ kind: 'fields', fields: [{ name: 'confirmLink', escape: false }, { name: 'name', escape: false }, { name: 'title', escape: false }] });
    expect(set.inappBody.use).toEqual({ kind: 'fields', fields: [{ name: 'confirmLink', escape: false }] });
    const confirmPart = set.sms.find((part) => part.use.kind !== 'none');
    expect(confirmPart?.use).toEqual({ kind: 'fields', fields: [{ name: 'confirmLink', escape: false }] });
    for (const part of [set.emailSubject, set.pushTitle, set.pushBody, set.inappTitle, ...set.sms.filter((p) => p !== confirmPart)]) {
      expect(part.use).toEqual({ kind: 'none' });
    }
  });
});

describe('PartRenderer', () => {
  const engine = createTemplateEngine();
  const part = (source: string, mode: TemplateMode, name: string): Part => ({
    template: engine.compile(source, { mode, name }),
    use: analyzeRecipientUse(Handlebars.parse(source), mode, new Map()),
  });
  const view = { meeting: { title: 'Hội nghị <BCH>' } };
  const people: RecipientView[] = [
    { name: 'Nguyễn Văn An', title: 'Phó Bí thư', unit: null, confirmLink: null },
    { name: 'Lê <b>Bình</b> & "Cường"', title: null, unit: null, confirmLink: null },
    { name: 'Trần Thị Dung', title: '', unit: 'Ban Tổ chức', confirmLink: null },
    { name: '\u0000x0\u0000', title: 'marker look-alike', unit: null, confirmLink: null },
  ];

  test.each([
    ['html', 'Kính gửi {{recipient.name}}{{#if recipient.title}}, {{recipient.title}}{{/if}}: {{meeting.title}}'],
    ['text', 'Kính gửi {{recipient.name}}{{#if recipient.title}}, {{recipient.title}}{{/if}}: {{meeting.title}}'],
    ['text', '{{meeting.title}}'],
    ['html', '{{#unless recipient.unit}}(chưa có đơn vị){{else}}{{recipient.unit}}{{/unless}} {{upper recipient.name}}'],
  ] as const)('when a %s part is rendered for several people, then each result equals a direct render: %s', (mode, source) => {
    const p = part(source, mode, `t-${mode}`);
    const renderer = new PartRenderer(view);
    for (let round = 0; round < 2; round += 1) {
      for (const who of people) {
        expect(renderer.render(p, who)).toBe(p.template.render({ ...view, recipient: who }));
      }
    }
  });
});
