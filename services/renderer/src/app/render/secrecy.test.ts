import { SECRECY_LEVELS, WITHHELD_WHEN_CLASSIFIED, isClassified, type ExampleName, type Secrecy } from '@gateway/contracts';
import { stripDiacritics } from '../../domain';
import { isSkipped, type RenderResult } from './render';
import { AGENCY, ALL_CHANNELS, contextFor, realRenderer, realTemplates, variant } from '../../../test/render-support';
import { buildEventView } from './view-model';

/**
 * Mật and above: every channel carries a notice and the link, never the content. Checked on the
 * output of every template and channel, with and without diacritics (SMS may be sent "không
 * dấu", so a leak could hide as stripped text), and on the view model the templates receive.
 */

const SUMMARY = 'Phương án bố trí lực lượng bảo vệ an ninh Đại hội đại biểu Đảng bộ thành phố';
const HANDLERS = ['Công an thành phố (chủ trì)', 'Bộ Chỉ huy Quân sự thành phố (phối hợp)'];
const ISSUER = 'Ban Chỉ đạo bảo vệ Đại hội';
const REASON = 'Văn bản ghi nhầm lực lượng tham gia bảo vệ khu vực hội trường';
const LINK = 'https://vanban.danang.gov.vn/van-ban/vb-2025-mat-77';
const NUMBER = '77-PA/BCĐ';

const CLASSIFIED = SECRECY_LEVELS.filter(isClassified);
const SOURCES: ExampleName[] = ['document-dispatched-mat', 'document-recalled'];

const recipient = { id: 'ho-van-duc', name: 'Hồ Văn Đức', title: 'Chánh Văn phòng Thành ủy', phone: '+84935246810', email: 'hvduc@danang.gov.vn', userId: 'u-10102' };

function classifiedEvent(source: ExampleName, secrecy: Secrecy) {
  return variant(source, (data) => {
    data.secrecy = secrecy;
    data.number = NUMBER;
    data.summary = SUMMARY;
    data.handlers = HANDLERS;
    data.issuingBody = ISSUER;
    data.link = LINK;
    data.deadline = '2025-10-10';
    data.arrivalNumber = '1777';
    if (source === 'document-recalled') data.reason = REASON;
  });
}

/** Every text a message carries, whatever the channel. */
function texts(result: RenderResult): string[] {
  if (isSkipped(result)) return [];
  switch (result.channel) {
    case 'sms':
      return [result.text];
    case 'email':
      return [result.subject, result.html, result.text];
    case 'push':
    case 'inapp':
      return [result.title, result.body, result.url ?? ''];
  }
}

/** Distinctive words of the withheld content, so a partial or reworded leak is caught too. */
const FORBIDDEN = [SUMMARY, ...HANDLERS, ISSUER, REASON, 'lực lượng', 'Đại hội đại biểu', 'Công an thành phố', 'Bộ Chỉ huy', 'Ban Chỉ đạo', '1777', '10/10/2025'];

describe('classified documents', () => {
  const renderer = realRenderer();

  describe.each(SOURCES.flatMap((source) => CLASSIFIED.map((secrecy) => [source, secrecy] as const)))('%s, %s', (source, secrecy) => {
    const event = classifiedEvent(source, secrecy);

    test('when the view model is built, then it holds only the number, the secrecy and the link of the document', () => {
      const view = buildEventView(event, AGENCY);
      expect(view.kind).toBe('secret-document');
      const json = JSON.stringify(view);
      for (const word of FORBIDDEN) expect(json).not.toContain(word);
      expect(view.kind === 'secret-document' && Object.keys(view.document).sort()).toEqual(['link', 'number', 'secrecy']);
    });

    test('when rendered on every channel, then no part carries the summary, handlers, issuer or reason, with or without diacritics', () => {
      const results = renderer.renderMessages(event, recipient, ALL_CHANNELS, contextFor(event, recipient));
      expect(results.filter(isSkipped)).toEqual([]);
      for (const result of results) {
        for (const text of texts(result)) {
          const folded = stripDiacritics(text).toLowerCase();
          for (const word of FORBIDDEN) {
            expect(text).not.toContain(word);
            expect(folded).not.toContain(stripDiacritics(word).toLowerCase());
          }
        }
      }
    });

    test('when rendered on every channel, then every part that carries text names the document and gives the link', () => {
      const results = renderer.renderMessages(event, recipient, ALL_CHANNELS, contextFor(event, recipient));
      for (const result of results) {
        const all = stripDiacritics(texts(result).join('\n'));
        expect(all).toContain(LINK);
        expect(all).toContain(stripDiacritics(NUMBER));
      }
    });

    test('when the event arrives as the intake stores it (content withheld), then every channel renders the same messages', () => {
      const withheld = variant(source, (data) => {
        Object.assign(data, { secrecy, number: NUMBER, link: LINK });
        for (const field of WITHHELD_WHEN_CLASSIFIED) delete data[field];
      });
      const full = renderer.renderMessages(event, recipient, ALL_CHANNELS, contextFor(event, recipient));
      expect(renderer.renderMessages(withheld, recipient, ALL_CHANNELS, contextFor(withheld, recipient))).toEqual(full);
    });

    test('when the secret templates are chosen, then they are the secret/ folder, not the ordinary ones', () => {
      const prepared = renderer.prepareEvent(event);
      expect(prepared.partSet).toBe(realTemplates().forType(event.type).secret);
    });
  });

  test('when a document is "thường", then the ordinary templates are used and the summary is shown', () => {
    const event = classifiedEvent('document-dispatched-mat', 'thuong');
    const results = renderer.renderMessages(event, recipient, ['email'], contextFor(event, recipient));
    expect(texts(results[0] as RenderResult).join('\n')).toContain(SUMMARY);
  });
});
