import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from '@gateway/contracts';
import { createTemplateEngine } from '../../adapters/handlebars-engine';
import { loadTemplates } from '../../adapters/template-files';
import { PART_NAMES, TemplateLoadError } from './templates';
import { realTemplates, templatesCopy } from '../../../test/render-support';

function loadFails(dir: string): TemplateLoadError {
  try {
    loadTemplates(dir, createTemplateEngine());
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateLoadError);
    return err as TemplateLoadError;
  }
  throw new Error('expected loadTemplates to fail');
}

describe('loadTemplates', () => {
  let copy: { dir: string; remove: () => void };
  beforeEach(() => {
    copy = templatesCopy();
  });
  afterEach(() => copy.remove());

  const file = (path: string) => join(copy.dir, path);
  const edit = (path: string, change: (source: string) => string) => writeFileSync(file(path), change(readFileSync(file(path), 'utf8')));

  test('when the real templates folder is loaded, then every event type has every part, and documents have secret templates', () => {
    const registry = realTemplates();
    for (const type of EVENT_TYPES) {
      const set = registry.forType(type);
      expect(set.standard.sms.length).toBeGreaterThan(0);
      expect(set.sms.diacritics).toBe('auto');
      const cap = set.sms.maxSegments;
      expect(cap).toBeLessThanOrEqual(10);
      expect(set.secret !== null).toBe(type.startsWith('document.'));
      expect(set.calendarDescription !== null).toBe(type.startsWith('meeting.'));
    }
    expect(registry.partials).toEqual(expect.arrayContaining(['email-layout-html', 'email-footer-text']));
  });

  test('when sms.hbs has marker lines, then it is split into required and optional parts in order', () => {
    const parts = realTemplates().forType('meeting.scheduled').standard.sms;
    expect(parts.map((p) => p.optional)).toEqual([false, true, false, true]);
    expect(parts.map((p) => p.template.name)).toEqual([1, 2, 3, 4].map((n) => `meeting.scheduled/sms.hbs#${n}`));
  });

  test.each(PART_NAMES)('when %s.hbs is missing from an event folder, then loading fails naming that file', (part) => {
    rmSync(file(`meeting.updated/${part}.hbs`));
    const err = loadFails(copy.dir);
    expect(err.file).toBe(`meeting.updated/${part}.hbs`);
    expect(err.message).toBe(`templates: meeting.updated/${part}.hbs: missing`);
  });

  test('when a secret template is missing, then loading fails naming it', () => {
    rmSync(file('document.dispatched/secret/push-body.hbs'));
    expect(loadFails(copy.dir).message).toBe('templates: document.dispatched/secret/push-body.hbs: missing');
  });

  test('when a document folder has no secret/ folder, then loading fails: classified documents would have no templates', () => {
    rmSync(file('document.recalled/secret'), { recursive: true });
    expect(loadFails(copy.dir).message).toMatch(/^templates: document\.recalled\/secret: must be a folder/);
  });

  test('when a meeting folder lacks calendar-description.hbs, then loading fails naming it', () => {
    rmSync(file('meeting.cancelled/calendar-description.hbs'));
    expect(loadFails(copy.dir).file).toBe('meeting.cancelled/calendar-description.hbs');
  });

  test('when an event type folder is missing, then loading fails naming it', () => {
    rmSync(file('document.recalled'), { recursive: true });
    expect(loadFails(copy.dir).message).toMatch(/^templates: document\.recalled: folder missing/);
  });

  test('when a folder holds an unexpected file (a typo such as sms-opt.hbs), then loading fails instead of ignoring it', () => {
    writeFileSync(file('meeting.scheduled/sms-opt.hbs'), 'x');
    expect(loadFails(copy.dir).message).toMatch(/^templates: meeting\.scheduled\/sms-opt\.hbs: unexpected here/);
  });

  test('when a template has a syntax error, then loading fails naming the file and the position', () => {
    edit('document.dispatched/email-subject.hbs', (s) => `${s}{{#if document.deadline}}`);
    const err = loadFails(copy.dir);
    expect(err.file).toBe('document.dispatched/email-subject.hbs');
    expect(err.message).toMatch(/failed to compile/);
  });

  test('when a template calls an unknown helper, then loading fails before any event arrives', () => {
    edit('meeting.scheduled/push-title.hbs', () => '{{formatDate meeting.start}}');
    const err = loadFails(copy.dir);
    expect(err.file).toBe('meeting.scheduled/push-title.hbs');
    expect(err.message).toMatch(/formatDate/);
  });

  test('when a template names a partial that does not exist, then loading fails naming both', () => {
    edit('meeting.scheduled/email-html.hbs', (s) => s.replace('{{> meeting-details-html}}', '{{> meeting-detail-html}}'));
    const err = loadFails(copy.dir);
    expect(err.file).toBe('meeting.scheduled/email-html.hbs');
    expect(err.message).toMatch(/unknown partial "meeting-detail-html"/);
  });

  test('when an HTML part includes a text partial, then loading fails: the partial would not escape HTML', () => {
    edit('meeting.scheduled/email-html.hbs', (s) => s.replace('{{> meeting-details-html}}', '{{> meeting-details-text}}'));
    expect(loadFails(copy.dir).message).toMatch(/partial "meeting-details-text" is a text partial and would not be HTML-escaped/);
  });

  test('when template.json is invalid, then loading fails naming it and the field', () => {
    writeFileSync(file('document.recalled/template.json'), JSON.stringify({ sms: { diacritics: 'auto', maxSegments: 11 } }));
    const err = loadFails(copy.dir);
    expect(err.file).toBe('document.recalled/template.json');
    expect(err.message).toMatch(/maxSegments/);
  });

  test('when template.json is not JSON, then loading fails naming it', () => {
    writeFileSync(file('meeting.updated/template.json'), '{ sms: ');
    expect(loadFails(copy.dir).message).toMatch(/^templates: meeting\.updated\/template\.json: is not valid JSON/);
  });

  test('when template.json is missing, then loading fails naming it', () => {
    rmSync(file('meeting.cancelled/template.json'));
    expect(loadFails(copy.dir).message).toBe('templates: meeting.cancelled/template.json: missing');
  });

  test('when an SMS marker is written inside a line, then loading fails instead of sending the marker text', () => {
    edit('document.dispatched/sms.hbs', (s) => s.replace('\n{{!-- optional --}}\n', '{{!-- optional --}}'));
    expect(loadFails(copy.dir).message).toMatch(/an SMS part marker must stand alone on its line/);
  });

  test('when a block spans an SMS marker, then loading fails naming the part', () => {
    writeFileSync(file('meeting.cancelled/sms.hbs'), '{{#if meeting.number}}A\n{{!-- optional --}}\n B{{/if}}\n');
    expect(loadFails(copy.dir).file).toBe('meeting.cancelled/sms.hbs#1');
  });

  test('when an unexpected folder sits at the top, then loading fails naming it', () => {
    mkdirSync(file('meeting.rescheduled'));
    expect(loadFails(copy.dir).message).toMatch(/^templates: meeting\.rescheduled: unexpected here/);
  });
});
