import { extname } from 'node:path';
import type { ImportReport } from '@gateway/directory';
import { callService, expectStatus } from '../http';
import { KEY_OPTION, parseCommandArgs, type Command } from '../command';
import { EXIT, UsageError } from '../errors';
import { resolveKey, urlFlag } from '../settings';
import { formatTable } from '../table';
import { readInputFile } from './files';

const USAGE = `Danh bạ / directory import: people and groups into the renderer's directory

  npm run gateway -- directory import <file.json|file.csv>

JSON: { "people": [...], "groups": [...] }. CSV (UTF-8): header id,name,title,unit,phone,email,userId,channels,groups
(";" inside a cell). Valid rows are imported; every rejected row is listed with its number and reasons,
and the exit code is then 1.

Options:
  --directory-url <url>   the renderer (default: $GATEWAY_DIRECTORY_URL, else http://127.0.0.1:8081)
  --key <key>             a key with scope directory:write (default: $GATEWAY_KEY, else the npm start dev key)

Example:
  npm run gateway -- directory import packages/directory/examples/sample-directory.json`;

export const directoryCommand: Command = {
  name: 'directory',
  summary: 'import people and groups from a JSON or CSV file',
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { ...KEY_OPTION, 'directory-url': { type: 'string' } });
    const [action, file, ...extra] = positionals;
    if (action !== 'import') throw new UsageError(action ? `unknown directory command "${action}"` : 'directory needs a command: import <file>');
    if (!file || extra.length) throw new UsageError('directory import takes one file: directory import <file.json|file.csv>');
    const ext = extname(file).toLowerCase();
    if (ext !== '.json' && ext !== '.csv') throw new UsageError(`${file}: the file must end in .json or .csv`);
    const body = readInputFile(file);
    const baseUrl = urlFlag('directory-url', values['directory-url'], ctx.settings.directoryUrl);
    const answer = await callService(
      { name: 'directory API (renderer)', baseUrl, setting: 'GATEWAY_DIRECTORY_URL' },
      { method: 'POST', path: '/v1/directory/import', key: resolveKey(values.key, ctx.settings), body, contentType: ext === '.csv' ? 'text/csv; charset=utf-8' : 'application/json', timeoutMs: 300_000 },
    );
    expectStatus(answer, [200]);
    const report = answer.body as ImportReport;
    ctx.out(`Đã nhập / imported ${report.imported}: people ${report.people.created} created, ${report.people.updated} updated; groups ${report.groups.created} created, ${report.groups.updated} updated${report.memberships !== undefined ? `; ${report.memberships} group memberships` : ''}.`);
    if (report.rejectedCount === 0) return EXIT.ok;
    ctx.out(`Bị từ chối / rejected ${report.rejectedCount} row(s) (row: ${report.rowNumbering}):`);
    const rows = report.rejected.flatMap((r) => r.errors.map((e, i) => (i === 0 ? [`${r.section ? `${r.section} ` : ''}${r.row}`, r.id ?? '', e.field, e.message] : ['', '', e.field, e.message])));
    for (const line of formatTable(['row', 'id', 'field', 'reason'], rows)) ctx.out(`  ${line}`);
    if (report.rejected.length < report.rejectedCount) ctx.out(`  … and ${report.rejectedCount - report.rejected.length} more`);
    return EXIT.failure;
  },
};
