import { isBlankRecord, parseCsv } from './csv';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('when fields are plain, then records split on commas and LF', () => {
    expect(fields('id,name\na,Nguyễn Văn An\n')).toEqual([['id', 'name'], ['a', 'Nguyễn Văn An']]);
  });

  it('when lines end with CRLF or a lone CR, then the line break is not part of any field', () => {
    expect(fields('a,b\r\nc,d\re,f')).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f']]);
  });

  it('when the file starts with a UTF-8 BOM, then the first header is still "id"', () => {
    expect(fields('\uFEFFid,name\r\n')[0]).toEqual(['id', 'name']);
  });

  it('when a quoted field holds commas, doubled quotes and line breaks, then they are kept and the row counts once', () => {
    const records = parseCsv('id,unit\n"a","Văn phòng Thành ủy, Đà Nẵng"\n"b","Ban ""Tuyên giáo""\r\nvà Dân vận"\nc,x\n');
    expect(records.map((r) => r.fields)).toEqual([
      ['id', 'unit'],
      ['a', 'Văn phòng Thành ủy, Đà Nẵng'],
      ['b', 'Ban "Tuyên giáo"\r\nvà Dân vận'],
      ['c', 'x'],
    ]);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3, 4]);
  });

  it('when fields are empty, quoted empty, or trailing, then each is an empty string', () => {
    expect(fields('a,,""\n,\n""')).toEqual([['a', '', ''], ['', ''], ['']]);
  });

  it('when the file has no trailing line break, then the last record is still read', () => {
    expect(fields('a,b\nc,d')).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('when there is an empty line in the middle, then it is a blank record with its own row number', () => {
    const records = parseCsv('h\n\nx\n');
    expect(records.map((r) => [r.row, r.fields])).toEqual([[1, ['h']], [2, ['']], [3, ['x']]]);
    expect(isBlankRecord(records[1] ?? { row: 0, fields: ['x'] })).toBe(true);
    expect(isBlankRecord({ row: 1, fields: [' ', ''] })).toBe(true);
  });

  it('when a quote closes before more text, then that record carries an error and the next record is unaffected', () => {
    const records = parseCsv('"ab"c,d\ne,f\n');
    expect(records[0]?.error).toMatch(/after a closing quote/);
    expect(records[0]?.fields).toEqual(['abc', 'd']);
    expect(records[1]).toEqual({ row: 2, fields: ['e', 'f'] });
  });

  it('when an unquoted field contains a quote, then the record carries an error', () => {
    expect(parseCsv('a"b,c\n')[0]?.error).toMatch(/quote inside an unquoted field/);
  });

  it('when a quoted field is never closed, then the error is on the row where it opened', () => {
    const records = parseCsv('h\nok\n"never closed,\nmore\n');
    expect(records).toHaveLength(3);
    expect(records[2]?.row).toBe(3);
    expect(records[2]?.error).toMatch(/never closed/);
  });

  it('when the input is empty, then there are no records', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF')).toEqual([]);
  });

  it('when a 5 MB file is parsed, then every row comes out whole', () => {
    const line = 'nguyen-van-an,"Nguyễn Văn An","Phó Bí thư, Thường trực",Thành ủy,0905 123 456,nvan@danang.gov.vn,u-1,sms;email,bch-thanh-uy\n';
    const text = line.repeat(Math.ceil((5 * 1024 * 1024) / line.length));
    const records = parseCsv(text);
    expect(records).toHaveLength(Math.ceil((5 * 1024 * 1024) / line.length));
    expect(records.filter((record) => record.fields?.length !== 9)).toEqual([]);
  });
});
