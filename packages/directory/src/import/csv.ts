/**
 * A small RFC 4180 reader (no CSV library is installed, and the directory needs only this):
 * comma-separated, fields optionally in double quotes with "" for a quote, commas and line
 * breaks allowed inside quotes, records ended by CRLF, LF or CR, a UTF-8 BOM ignored.
 *
 * Rows are numbered as a spreadsheet shows them (the first record, usually the header, is row
 * 1), counting a record that spans lines inside quotes once, so a report's row number is the
 * row an office worker sees when opening the file.
 */

export interface CsvRecord {
  row: number;
  fields: string[];
  /** Set when the quoting of this record is broken; its fields are then not to be trusted. */
  error?: string;
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;
const SEPARATOR = /[,\r\n]/g;

function nextSeparator(text: string, from: number): number {
  SEPARATOR.lastIndex = from;
  return SEPARATOR.exec(text)?.index ?? text.length;
}

const UNQUOTED_QUOTE = 'a quote inside an unquoted field; quote the whole field and write the quote as ""';
const TEXT_AFTER_QUOTE = 'text after a closing quote; write a quote inside a quoted field as ""';
const NEVER_CLOSED = 'a quoted field is never closed (a missing " swallowed the rest of the file)';

export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let error: string | undefined;
  // Distinguishes a last record holding one empty quoted field ("") from no record at all.
  let started = false;
  let row = 1;
  let i = 0;
  const n = text.length;

  const endRecord = (): void => {
    fields.push(field);
    records.push(error === undefined ? { row, fields } : { row, fields, error });
    fields = [];
    field = '';
    error = undefined;
    started = false;
    row++;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      fields.push(field);
      field = '';
      started = true;
      i++;
    } else if (c === CR || c === LF) {
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      endRecord();
    } else if (c === QUOTE) {
      // Every other branch stops at a separator, so a quote here opens a field.
      started = true;
      let start = i + 1;
      let closed = false;
      for (;;) {
        const q = text.indexOf('"', start);
        if (q < 0) break;
        if (text.charCodeAt(q + 1) === QUOTE) {
          field += text.slice(start, q + 1);
          start = q + 2;
          continue;
        }
        field += text.slice(start, q);
        i = q + 1;
        closed = true;
        break;
      }
      if (!closed) {
        field += text.slice(start);
        error = NEVER_CLOSED;
        i = n;
      } else if (i < n && text.charCodeAt(i) !== COMMA && text.charCodeAt(i) !== CR && text.charCodeAt(i) !== LF) {
        error ??= TEXT_AFTER_QUOTE;
        const end = nextSeparator(text, i);
        field += text.slice(i, end);
        i = end;
      }
    } else {
      started = true;
      const end = nextSeparator(text, i);
      const chunk = text.slice(i, end);
      if (chunk.includes('"')) error ??= UNQUOTED_QUOTE;
      field += chunk;
      i = end;
    }
  }
  // A file ending with a line break has no record after it; one ending without still has one.
  if (started || fields.length > 0) endRecord();
  return records;
}

/** True for a record a spreadsheet writes for an empty row (",,,," or nothing). */
export function isBlankRecord(record: CsvRecord): boolean {
  return record.error === undefined && record.fields.every((f) => f.trim() === '');
}
