import { EXAMPLE_NAMES, EXAMPLES_DIR, listExampleFiles, loadExample, readExampleText } from '../examples';
import { EVENT_TYPES } from './event';
import { parseEvent } from './parse';

describe('example events', () => {
  it.each(EXAMPLE_NAMES)('when %s is parsed, then it is accepted', (name) => {
    const result = parseEvent(loadExample(name));
    expect(result).toMatchObject({ ok: true });
  });

  it.each(EXAMPLE_NAMES)('when %s is parsed, then the event is the JSON it came from, unchanged', (name) => {
    const result = parseEvent(loadExample(name));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.event).toEqual(loadExample(name));
    expect(`${JSON.stringify(result.event, null, 2)}\n`).toBe(readExampleText(name));
  });

  it('when the examples folder is listed, then every file is a named example', () => {
    expect(listExampleFiles()).toEqual(EXAMPLE_NAMES.map((name) => `${name}.json`).sort());
    expect(EXAMPLES_DIR).toMatch(/contracts[\\/]examples$/);
  });

  it('when the examples are taken together, then every event type has one', () => {
    const types = new Set(EXAMPLE_NAMES.map((name) => (loadExample(name) as { type: string }).type));
    expect([...types].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('when an example is loaded twice, then each call gets its own copy', () => {
    const first = loadExample('meeting-cancelled') as { id: string };
    first.id = 'changed';
    expect((loadExample('meeting-cancelled.json') as { id: string }).id).not.toBe('changed');
  });

  it('when a name could leave the examples folder, then loading refuses it', () => {
    expect(() => loadExample('../package')).toThrow(/not an example name/);
  });
});
