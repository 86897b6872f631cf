import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_NAMES, loadExample, parseEvent, type Recipient } from '@gateway/contracts';
import { CSV_ROW_NUMBERING, importDirectory, importDirectoryCsv, JSON_ROW_NUMBERING, type ImportReport } from './importer';
import { createMemoryDirectoryStore } from '../memory-store';
import { resolveRecipients } from '../resolve';
import type { DirectoryStore } from '../store';

const SAMPLE = join(__dirname, '../../examples/sample-directory.json');

function report(result: Awaited<ReturnType<typeof importDirectory>>): ImportReport {
  if (!result.ok) throw new Error(`import refused: ${JSON.stringify(result.issues)}`);
  return result.report;
}

async function withSample(): Promise<DirectoryStore> {
  const store = createMemoryDirectoryStore();
  report(await importDirectory(store, JSON.parse(readFileSync(SAMPLE, 'utf8')) as unknown));
  return store;
}

function recipientsOf(name: string): Recipient[] {
  const parsed = parseEvent(loadExample(name));
  if (!parsed.ok) throw new Error(`example ${name} does not parse`);
  const data = parsed.event.data as { participants?: Recipient[]; recipients?: Recipient[] };
  return data.participants ?? data.recipients ?? [];
}

describe('importDirectory (JSON)', () => {
  it('when the sample directory is imported, then every row is accepted and imported again nothing changes', async () => {
    const store = createMemoryDirectoryStore();
    const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { people: unknown[]; groups: unknown[] };
    const first = report(await importDirectory(store, sample));
    expect(first.rejected).toEqual([]);
    expect(first.imported).toBe(sample.people.length + sample.groups.length);
    expect(first.people.created).toBe(sample.people.length);
    const second = report(await importDirectory(store, sample));
    expect(second).toMatchObject({ rejectedCount: 0, people: { created: 0 }, groups: { created: 0 } });
  });

  it('when the sample directory is imported, then it has the offices, 20 ward and commune committees and people without phone or email', async () => {
    const store = await withSample();
    const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { people: Array<{ phone?: string; email?: string }> };
    for (const id of ['van-phong-thanh-uy', 'ban-to-chuc-thanh-uy', 'ban-tuyen-giao-dan-van-thanh-uy', 'uy-ban-kiem-tra-thanh-uy', 'bch-thanh-uy']) {
      expect(await store.getGroup(id)).toBeDefined();
    }
    const wards = await store.getGroup('dang-uy-phuong-xa');
    expect(wards?.groups).toHaveLength(20);
    for (const ward of wards?.groups ?? []) {
      expect(ward).toMatch(/^dang-uy-(phuong|xa)-/);
      const members = (await store.getGroup(ward))?.members.length ?? 0;
      expect(members).toBeGreaterThanOrEqual(2);
      expect(members).toBeLessThanOrEqual(3);
    }
    expect(sample.people.filter((p) => p.phone === undefined).length).toBeGreaterThan(0);
    expect(sample.people.filter((p) => p.email === undefined).length).toBeGreaterThan(0);
    expect(sample.people.every((p) => p.phone === undefined || /^\+84\d{9}$/.test(p.phone))).toBe(true);
  });

  it('when an example event names groups and people, then every reference exists in the sample directory', async () => {
    const store = await withSample();
    for (const name of EXAMPLE_NAMES) {
      const { unresolved } = await resolveRecipients(recipientsOf(name), store);
      expect({ name, unresolved }).toEqual({ name, unresolved: [] });
    }
  });

  it('when the hỏa tốc example is resolved, then the Hải Châu secretary reached by a group and inline is one person with the event data', async () => {
    const store = await withSample();
    const { people } = await resolveRecipients(recipientsOf('document-dispatched-hoa-toc'), store);
    const tuan = people.filter((p) => p.id === 'le-minh-tuan');
    expect(tuan).toHaveLength(1);
    expect(tuan[0]).toMatchObject({ via: 'group:bi-thu-dang-uy-phuong-xa', source: 'inline+directory', phone: '+84983214567' });
    expect(people).toHaveLength(new Set(people.map((p) => p.id)).size);
    // 20 secretaries + 20 chairs + Phạm Thị Lan, who is in neither group.
    expect(people).toHaveLength(41);
  });

  it('when some rows are invalid, then the valid ones are imported and each rejected row says why, by position', async () => {
    const store = createMemoryDirectoryStore();
    const result = report(
      await importDirectory(store, {
        people: [
          { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '0905 123 456' },
          { id: 'sai-so', name: 'Sai Số', phone: '0123456789' },
          { id: 'Viet-Hoa', name: 'X' },
          { id: 'nguyen-van-an', name: 'Trùng' },
          { id: 'le-b', name: 'Lê B', channels: ['fax'], extra: 1 },
        ],
        groups: [
          { id: 'g-ok', name: 'OK', members: ['nguyen-van-an'], groups: ['g-later'] },
          { id: 'g-bad-member', name: 'Bad', members: ['nguyen-van-an', 'sai-so', 'khong-co'] },
          { id: 'g-nests-bad', name: 'Nests', groups: ['g-bad-member'] },
          { id: 'g-later', name: 'Later' },
        ],
      }),
    );
    expect(result.rowNumbering).toBe(JSON_ROW_NUMBERING);
    expect(result.imported).toBe(3);
    expect(await store.getPerson('nguyen-van-an')).toEqual({ id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905123456' });
    expect((await store.getGroup('g-ok'))?.groups).toEqual(['g-later']);
    expect(result.rejectedCount).toBe(6);
    const byRow = result.rejected.map((r) => [r.section, r.row, r.id, r.errors.map((e) => e.field)]);
    expect(byRow).toEqual([
      ['people', 2, 'sai-so', ['phone']],
      ['people', 3, 'Viet-Hoa', ['id']],
      ['people', 4, 'nguyen-van-an', ['id']],
      ['people', 5, 'le-b', ['channels[0]', 'extra']],
      ['groups', 2, 'g-bad-member', ['members[1]', 'members[2]']],
      ['groups', 3, 'g-nests-bad', ['groups[0]']],
    ]);
    const messages = result.rejected.flatMap((r) => r.errors.map((e) => e.message));
    expect(messages[0]).toMatch(/not a valid Vietnamese mobile/);
    expect(messages).toContain('appears again; first at row 1 (each id once per import)');
    expect(messages).toContain('person "sai-so" is not imported: people row 2 was rejected');
    expect(messages).toContain('no person "khong-co" in the directory or in this import');
    expect(messages).toContain('group "g-bad-member" is not imported: groups row 2 was rejected');
  });

  it('when names arrive decomposed (NFD) or with controls, then they are stored NFC and clean; a lone surrogate rejects the row naming the field', async () => {
    const store = createMemoryDirectoryStore();
    const result = report(
      await importDirectory(store, {
        people: [
          { id: 'nguyen-van-an', name: 'Nguyễn Văn An'.normalize('NFD'), title: '\u202ePhó Bí thư\u001b[0m'.normalize('NFD') },
          { id: 'tran-thi-b', name: 'Trần\ud800 Thị B' },
        ],
        groups: [{ id: 'ban-thuong-vu', name: 'Ban Thường vụ Thành ủy'.normalize('NFD'), members: ['nguyen-van-an'] }],
      }),
    );
    expect(await store.getPerson('nguyen-van-an')).toEqual({ id: 'nguyen-van-an', name: 'Nguyễn Văn An', title: 'Phó Bí thư' });
    expect((await store.getGroup('ban-thuong-vu'))?.name).toBe('Ban Thường vụ Thành ủy');
    expect(result.rejected.map((r) => [r.row, r.id, r.errors.map((e) => e.field)])).toEqual([[2, 'tran-thi-b', ['name']]]);
    expect(result.rejected[0]?.errors[0]?.message).toMatch(/ill-formed Unicode/);
  });

  it('when a CSV names a person in NFD, then the directory holds the NFC name', async () => {
    const store = createMemoryDirectoryStore();
    report(await importDirectoryCsv(store, `id,name,phone\nle-van-c,${'Lê Văn Cường'.normalize('NFD')},0905123457\n`));
    expect((await store.getPerson('le-van-c'))?.name).toBe('Lê Văn Cường');
  });

  it('when a group names people already in the directory, then they need not be in the import', async () => {
    const store = createMemoryDirectoryStore();
    await store.upsertPerson({ id: 'a', name: 'A' });
    await store.upsertGroup({ id: 'old', name: 'Old', members: [], groups: [] });
    const result = report(await importDirectory(store, { groups: [{ id: 'g', name: 'G', members: ['a'], groups: ['old'] }] }));
    expect(result).toMatchObject({ imported: 1, rejectedCount: 0 });
  });

  it('when the body is not an import, then the whole request is refused with paths', async () => {
    const store = createMemoryDirectoryStore();
    expect(await importDirectory(store, { people: {} })).toEqual({ ok: false, issues: [{ path: 'people', message: 'must be an array, got an object' }] });
    expect(await importDirectory(store, { persons: [] })).toMatchObject({ ok: false, issues: [{ path: 'persons', message: expect.stringContaining('unknown field') as string }] });
    expect(await importDirectory(store, {})).toMatchObject({ ok: false });
  });
});

describe('importDirectoryCsv', () => {
  async function storeWithGroups(): Promise<DirectoryStore> {
    const store = createMemoryDirectoryStore();
    await store.upsertGroup({ id: 'dang-uy-phuong-hai-chau', name: 'Đảng ủy phường Hải Châu', members: [], groups: [] });
    await store.upsertGroup({ id: 'bi-thu-dang-uy-phuong-xa', name: 'Bí thư', members: ['someone-first'], groups: [] });
    return store;
  }

  const CSV = [
    '\uFEFFid,name,title,unit,phone,email,userId,channels,groups',
    'le-minh-tuan,Lê Minh Tuấn,"Bí thư Đảng ủy phường Hải Châu","Đảng ủy phường Hải Châu, TP Đà Nẵng",0983 214 567,lmtuan@danang.gov.vn,u-20417,sms;push;inapp,dang-uy-phuong-hai-chau;bi-thu-dang-uy-phuong-xa',
    'sai-so,Sai Số,,,0123456789,,,,',
    '',
    'nguyen-thi-b,"Nguyễn Thị B","Chánh Văn phòng ""Đảng ủy""",,+84 905 123 457,,,,dang-uy-phuong-hai-chau',
    'khong-nhom,Không Nhóm,,,,,,,nhom-khong-co',
    'pham-thi-lan,Phạm Thị Lan,"Chánh Văn phòng',
    'Đảng ủy xã Hòa Vang",,036 234 5678,,,email;fax,',
    'thua,Thừa,,,,,,,,extra',
    'le-minh-tuan,Lặp Lại,,,,,,,',
  ].join('\r\n');

  it('when a CSV has good and bad rows, then good rows are imported, memberships added and bad rows reported by spreadsheet row', async () => {
    const store = await storeWithGroups();
    const result = await importDirectoryCsv(store, CSV);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { report: r } = result;
    expect(r.rowNumbering).toBe(CSV_ROW_NUMBERING);
    expect(r.imported).toBe(2);
    expect(r.memberships).toBe(3);
    expect(await store.getPerson('le-minh-tuan')).toEqual({
      id: 'le-minh-tuan',
      name: 'Lê Minh Tuấn',
      title: 'Bí thư Đảng ủy phường Hải Châu',
      unit: 'Đảng ủy phường Hải Châu, TP Đà Nẵng',
      phone: '+84983214567',
      email: 'lmtuan@danang.gov.vn',
      userId: 'u-20417',
      channels: ['sms', 'push', 'inapp'],
    });
    expect((await store.getPerson('nguyen-thi-b'))?.title).toBe('Chánh Văn phòng "Đảng ủy"');
    expect((await store.getGroup('dang-uy-phuong-hai-chau'))?.members).toEqual(['le-minh-tuan', 'nguyen-thi-b']);
    expect((await store.getGroup('bi-thu-dang-uy-phuong-xa'))?.members).toEqual(['someone-first', 'le-minh-tuan']);
    expect(r.rejected.map((x) => [x.row, x.id, x.errors.map((e) => e.field)])).toEqual([
      [3, 'sai-so', ['phone']],
      [6, 'khong-nhom', ['groups[0]']],
      [7, 'pham-thi-lan', ['channels[1]']],
      [8, 'thua', ['(row)']],
      [9, 'le-minh-tuan', ['id']],
    ]);
    expect(r.rejected[0]?.errors[0]?.message).toMatch(/not a valid Vietnamese mobile/);
    expect(r.rejected[1]?.errors[0]?.message).toBe('no group "nhom-khong-co" in the directory; create the group first, then import');
    expect(await store.getPerson('khong-nhom')).toBeUndefined();
  });

  it('when the same CSV is imported twice, then memberships are not added twice', async () => {
    const store = await storeWithGroups();
    await importDirectoryCsv(store, CSV);
    const again = await importDirectoryCsv(store, CSV);
    expect(again).toMatchObject({ ok: true, report: { memberships: 0, people: { created: 0, updated: 2 } } });
  });

  it('when the header has columns in another order, other case, or only id and name, then it is read by name', async () => {
    const store = createMemoryDirectoryStore();
    const result = await importDirectoryCsv(store, 'Name,ID,Phone,USERID\nĐỗ Minh Quang,do-minh-quang,0913 000 111,u-1\n');
    expect(result).toMatchObject({ ok: true, report: { imported: 1 } });
    expect(await store.getPerson('do-minh-quang')).toEqual({ id: 'do-minh-quang', name: 'Đỗ Minh Quang', phone: '+84913000111', userId: 'u-1' });
  });

  it('when the header is wrong, then the whole file is refused with the column positions', async () => {
    const store = createMemoryDirectoryStore();
    expect(await importDirectoryCsv(store, 'id,ten,phone,phone\n')).toEqual({
      ok: false,
      issues: [
        { path: 'header[2]', message: 'unknown column "ten"; the columns are id,name,title,unit,phone,email,userId,channels,groups' },
        { path: 'header[4]', message: 'column "phone" appears twice' },
        { path: 'header', message: 'the "name" column is required; the columns are id,name,title,unit,phone,email,userId,channels,groups' },
      ],
    });
    expect(await importDirectoryCsv(store, '')).toMatchObject({ ok: false, issues: [{ path: 'header' }] });
  });
});
