import type { DirectoryGroup, DirectoryPerson } from '../src/model';
import type { DirectoryStore } from '../src/store';

/*
 * The one behaviour every DirectoryStore adapter must have, run by each adapter's test file.
 * Not a *.test.ts itself, so jest runs it only through those files.
 */

export function samplePerson(id: string, extra: Partial<DirectoryPerson> = {}): DirectoryPerson {
  return { id, name: `Nguyễn Văn ${id}`, title: 'Chuyên viên', unit: 'Văn phòng Thành ủy', phone: '+84905123456', email: `${id}@danang.gov.vn`, ...extra };
}

export function sampleGroup(id: string, members: string[], groups: string[] = []): DirectoryGroup {
  return { id, name: `Nhóm ${id}`, members, groups };
}

export function describeDirectoryStoreConformance(name: string, factory: () => DirectoryStore | Promise<DirectoryStore>): void {
  describe(`DirectoryStore conformance: ${name}`, () => {
    let store: DirectoryStore;

    beforeEach(async () => {
      store = await factory();
    });

    describe('people', () => {
      it('when a person is upserted, then it reads back equal and the first write reports created', async () => {
        const person = samplePerson('le-minh-tuan', { userId: 'u-20417', channels: ['sms', 'inapp'], active: true });
        expect(await store.upsertPerson(person)).toEqual({ created: true });
        expect(await store.getPerson('le-minh-tuan')).toEqual(person);
        expect(await store.upsertPerson({ ...person, title: 'Bí thư Đảng ủy phường Hải Châu' })).toEqual({ created: false });
        expect((await store.getPerson('le-minh-tuan'))?.title).toBe('Bí thư Đảng ủy phường Hải Châu');
      });

      it('when an upsert omits a field the old record had, then the field is gone (a replace, not a merge)', async () => {
        await store.upsertPerson(samplePerson('pham-thi-lan'));
        await store.upsertPerson({ id: 'pham-thi-lan', name: 'Phạm Thị Lan' });
        expect(await store.getPerson('pham-thi-lan')).toEqual({ id: 'pham-thi-lan', name: 'Phạm Thị Lan' });
      });

      it('when an unknown id is read, then the answer is undefined', async () => {
        expect(await store.getPerson('khong-co')).toBeUndefined();
      });

      it('when a returned person is mutated, then the stored record does not change', async () => {
        await store.upsertPerson(samplePerson('a'));
        const copy = await store.getPerson('a');
        if (copy) copy.name = 'changed';
        expect((await store.getPerson('a'))?.name).toBe('Nguyễn Văn a');
      });

      it('when people are read in bulk, then only the found ones come back, duplicates and unknown ids ignored', async () => {
        await store.upsertPeople([samplePerson('a'), samplePerson('b'), samplePerson('c')]);
        const found = await store.getPeople(['c', 'missing', 'a', 'a']);
        expect([...found.keys()].sort()).toEqual(['a', 'c']);
        expect(found.get('c')).toEqual(samplePerson('c'));
        expect((await store.getPeople([])).size).toBe(0);
      });

      it('when people are upserted in bulk, then created and updated are counted', async () => {
        await store.upsertPerson(samplePerson('a'));
        expect(await store.upsertPeople([samplePerson('a'), samplePerson('b'), samplePerson('c')])).toEqual({ created: 2, updated: 1 });
        expect(await store.upsertPeople([])).toEqual({ created: 0, updated: 0 });
      });

      it('when 2,500 people are upserted in bulk, then all of them read back', async () => {
        const many = Array.from({ length: 2_500 }, (_, i) => samplePerson(`p${String(i).padStart(5, '0')}`));
        expect(await store.upsertPeople(many)).toEqual({ created: 2_500, updated: 0 });
        const found = await store.getPeople(many.map((p) => p.id));
        expect(found.size).toBe(2_500);
        expect(found.get('p02499')).toEqual(many[2_499]);
      });

      it('when people are listed page by page, then every id comes once, in id order, and the last page has no cursor', async () => {
        const ids = ['e', 'a', 'd', 'b', 'c', 'a.1', 'a-1'];
        await store.upsertPeople(ids.map((id) => samplePerson(id)));
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listPeople(cursor === undefined ? { limit: 3 } : { cursor, limit: 3 });
          const pageSize = page.items.length;
          expect(pageSize).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((p) => p.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined && pages < 10);
        expect(seen).toEqual([...ids].sort());
        expect(pages).toBe(3);
      });

      it('when the directory is empty, then a list answers an empty page without a cursor', async () => {
        expect(await store.listPeople({ limit: 10 })).toEqual({ items: [] });
      });

      it('when a page ends exactly at the last person, then there is no cursor', async () => {
        await store.upsertPeople([samplePerson('a'), samplePerson('b')]);
        expect(await store.listPeople({ limit: 2 })).toEqual({ items: [samplePerson('a'), samplePerson('b')] });
      });

      it('when a person is deleted, then it is gone from reads, lists and every group, and a second delete answers false', async () => {
        await store.upsertPeople([samplePerson('a'), samplePerson('b')]);
        await store.upsertGroup(sampleGroup('g1', ['a', 'b']));
        await store.upsertGroup(sampleGroup('g2', ['b', 'a']));
        expect(await store.deletePerson('a')).toBe(true);
        expect(await store.getPerson('a')).toBeUndefined();
        expect((await store.listPeople({ limit: 10 })).items.map((p) => p.id)).toEqual(['b']);
        expect((await store.getGroup('g1'))?.members).toEqual(['b']);
        expect((await store.getGroup('g2'))?.members).toEqual(['b']);
        expect(await store.deletePerson('a')).toBe(false);
      });

      it('when existence is checked, then only stored ids are returned', async () => {
        await store.upsertPeople([samplePerson('a'), samplePerson('b')]);
        expect([...(await store.existingPersonIds(['a', 'x', 'b', 'a']))].sort()).toEqual(['a', 'b']);
        expect((await store.existingPersonIds([])).size).toBe(0);
      });
    });

    describe('groups', () => {
      it('when a group is upserted, then it reads back with members in the given order', async () => {
        const group: DirectoryGroup = { id: 'dang-uy-phuong-hai-chau', name: 'Đảng ủy phường Hải Châu', description: 'Bí thư, Phó Bí thư, Chánh Văn phòng', members: ['z', 'a', 'm'], groups: [] };
        expect(await store.upsertGroup(group)).toEqual({ created: true });
        expect(await store.getGroup(group.id)).toEqual(group);
        expect(await store.upsertGroup(group)).toEqual({ created: false });
      });

      it('when a group is replaced, then the old members and nested groups are gone', async () => {
        await store.upsertGroup(sampleGroup('inner', []));
        await store.upsertGroup(sampleGroup('other', []));
        await store.upsertGroup(sampleGroup('g', ['a', 'b', 'c'], ['inner']));
        await store.upsertGroup({ id: 'g', name: 'Renamed', members: ['c', 'd'], groups: ['other'] });
        expect(await store.getGroup('g')).toEqual({ id: 'g', name: 'Renamed', members: ['c', 'd'], groups: ['other'] });
      });

      it('when a group has no members and no nested groups, then it reads back with empty lists', async () => {
        await store.upsertGroup(sampleGroup('empty', []));
        expect(await store.getGroup('empty')).toEqual(sampleGroup('empty', []));
        expect(await store.getGroupMembers('empty')).toEqual({ members: [], groups: [] });
      });

      it('when a group of 3,000 members is stored, then all come back in order', async () => {
        const members = Array.from({ length: 3_000 }, (_, i) => `m${3_000 - i}`);
        await store.upsertGroup(sampleGroup('big', members));
        expect((await store.getGroupMembers('big'))?.members).toEqual(members);
      });

      it('when members of an unknown group are asked for, then the answer is undefined (not an empty group)', async () => {
        expect(await store.getGroupMembers('khong-co')).toBeUndefined();
        expect(await store.getGroup('khong-co')).toBeUndefined();
      });

      it('when several groups are read at once, then each found group answers and unknown ones are absent', async () => {
        await store.upsertGroup(sampleGroup('g1', ['a'], ['g2']));
        await store.upsertGroup(sampleGroup('g2', ['b', 'c']));
        const found = await store.getGroupsMembers(['g2', 'nope', 'g1', 'g1']);
        expect([...found.keys()].sort()).toEqual(['g1', 'g2']);
        expect(found.get('g1')).toEqual({ members: ['a'], groups: ['g2'] });
        expect(found.get('g2')).toEqual({ members: ['b', 'c'], groups: [] });
        expect((await store.getGroupsMembers([])).size).toBe(0);
      });

      it('when a group is deleted, then parents stop nesting it, its people stay, and a second delete answers false', async () => {
        await store.upsertPerson(samplePerson('a'));
        await store.upsertGroup(sampleGroup('child', ['a']));
        await store.upsertGroup(sampleGroup('sibling', []));
        await store.upsertGroup(sampleGroup('parent', [], ['child', 'sibling']));
        expect(await store.deleteGroup('child')).toBe(true);
        expect(await store.getGroup('child')).toBeUndefined();
        expect((await store.getGroup('parent'))?.groups).toEqual(['sibling']);
        expect(await store.getPerson('a')).toBeDefined();
        expect(await store.deleteGroup('child')).toBe(false);
        expect(await store.getGroupMembers('child')).toBeUndefined();
      });

      it('when groups are listed, then they come in id order with member and nested counts', async () => {
        await store.upsertGroup({ ...sampleGroup('b', ['x', 'y'], ['a']), description: 'mô tả' });
        await store.upsertGroup(sampleGroup('a', []));
        await store.upsertGroup(sampleGroup('c', ['x']));
        const first = await store.listGroups({ limit: 2 });
        expect(first.items).toEqual([
          { id: 'a', name: 'Nhóm a', memberCount: 0, groupCount: 0 },
          { id: 'b', name: 'Nhóm b', description: 'mô tả', memberCount: 2, groupCount: 1 },
        ]);
        expect(first.nextCursor).toBe('b');
        expect(await store.listGroups({ cursor: 'b', limit: 2 })).toEqual({ items: [{ id: 'c', name: 'Nhóm c', memberCount: 1, groupCount: 0 }] });
      });

      it('when members are added, then new ones are appended in order and existing ones are not repeated', async () => {
        await store.upsertGroup(sampleGroup('g', ['a', 'b']));
        expect(await store.addGroupMembers('g', ['c', 'a', 'd', 'c'])).toBe(2);
        expect((await store.getGroup('g'))?.members).toEqual(['a', 'b', 'c', 'd']);
        expect(await store.addGroupMembers('g', [])).toBe(0);
      });

      it('when members are added to an empty group in two calls, then they keep the order of adding', async () => {
        await store.upsertGroup(sampleGroup('g', []));
        await store.addGroupMembers('g', ['x']);
        await store.addGroupMembers('g', ['b', 'a']);
        expect((await store.getGroup('g'))?.members).toEqual(['x', 'b', 'a']);
      });

      it('when members are added to an unknown group, then nothing is created and the answer is undefined', async () => {
        expect(await store.addGroupMembers('nope', ['a'])).toBeUndefined();
        expect(await store.addGroupMembers('nope', [])).toBeUndefined();
        expect(await store.getGroup('nope')).toBeUndefined();
      });

      it('when group existence is checked, then only stored ids are returned', async () => {
        await store.upsertGroup(sampleGroup('g1', []));
        expect([...(await store.existingGroupIds(['g1', 'g2']))]).toEqual(['g1']);
      });

      it('when people and groups share an id, then they do not collide', async () => {
        await store.upsertPerson(samplePerson('same'));
        await store.upsertGroup(sampleGroup('same', ['same']));
        expect((await store.getPerson('same'))?.id).toBe('same');
        expect((await store.getGroup('same'))?.members).toEqual(['same']);
        expect(await store.deleteGroup('same')).toBe(true);
        expect(await store.getPerson('same')).toBeDefined();
      });
    });
  });
}
