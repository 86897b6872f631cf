import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { createLogger, generateKey, hashKey, KeyRing, type Scope } from '@gateway/common';
import { createMemoryDirectoryStore, createRedisDirectoryStore, DirectoryStoreError, type DirectoryStore, type ImportReport } from '@gateway/directory';
import { startTestRedis, type TestRedis } from '@gateway/directory/test/test-support';
import { createDirectoryRouter } from './directory-http';

const logger = createLogger({ name: 'directory-http-test', level: 'silent' });
const keys = { writer: generateKey(), admin: generateKey(), intake: generateKey() };
const ring = new KeyRing({
  keys: (
    [
      ['van-phong-thanh-uy', keys.writer, ['directory:write']],
      ['quan-tri', keys.admin, ['admin']],
      ['lich-hop', keys.intake, ['events:write', 'notifications:read']],
    ] as Array<[string, string, Scope[]]>
  ).map(([name, key, scopes]) => ({ name, sha256: hashKey(key), scopes })),
});

function appWith(store: DirectoryStore, importLimitBytes?: number): express.Express {
  const app = express();
  app.use('/v1/directory', createDirectoryRouter({ store, keys: () => ring, logger, ...(importLimitBytes === undefined ? {} : { importLimitBytes }) }));
  return app;
}

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

let redis: TestRedis;
let app: express.Express;
let store: DirectoryStore;

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await redis?.stop();
});

beforeEach(() => {
  store = createRedisDirectoryStore(redis.client, { prefix: redis.prefix('http') });
  app = appWith(store);
});

describe('directory HTTP API: access', () => {
  it('when no key is sent, then every route answers 401 with a problem', async () => {
    for (const [method, path] of [['get', '/v1/directory/people'], ['get', '/v1/directory/people/a'], ['put', '/v1/directory/groups/g'], ['post', '/v1/directory/import']] as const) {
      const res = await request(app)[method](path);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('when the key lacks directory:write, then reads are refused too (403): the directory is contact data', async () => {
    const res = await request(app).get('/v1/directory/people').set(auth(keys.intake));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ type: '/problems/forbidden', detail: expect.stringContaining('directory:write') as string });
  });

  it('when the key has admin, then it may use the directory', async () => {
    expect((await request(app).get('/v1/directory/people').set(auth(keys.admin))).status).toBe(200);
  });
});

describe('directory HTTP API: people and groups', () => {
  it('when a person is put, read, replaced and deleted, then each step answers as it should', async () => {
    const put = await request(app)
      .put('/v1/directory/people/le-minh-tuan')
      .set(auth(keys.writer))
      .send({ name: 'Lê Minh Tuấn', title: 'Bí thư Đảng ủy phường Hải Châu', phone: '0983 214 567', email: 'lmtuan@DANANG.gov.vn', channels: ['sms', 'inapp'] });
    expect(put.status).toBe(201);
    expect(put.body).toEqual({ id: 'le-minh-tuan', name: 'Lê Minh Tuấn', title: 'Bí thư Đảng ủy phường Hải Châu', phone: '+84983214567', email: 'lmtuan@danang.gov.vn', channels: ['sms', 'inapp'] });

    const get = await request(app).get('/v1/directory/people/le-minh-tuan').set(auth(keys.writer));
    expect(get.status).toBe(200);
    expect(get.body).toEqual(put.body);

    const again = await request(app).put('/v1/directory/people/le-minh-tuan').set(auth(keys.writer)).send({ id: 'le-minh-tuan', name: 'Lê Minh Tuấn', active: false });
    expect(again.status).toBe(200);
    expect((await request(app).get('/v1/directory/people/le-minh-tuan').set(auth(keys.writer))).body).toEqual({ id: 'le-minh-tuan', name: 'Lê Minh Tuấn', active: false });

    expect((await request(app).delete('/v1/directory/people/le-minh-tuan').set(auth(keys.writer))).status).toBe(204);
    const gone = await request(app).get('/v1/directory/people/le-minh-tuan').set(auth(keys.writer));
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text)).toMatchObject({ type: '/problems/not-found', status: 404 });
    expect((await request(app).delete('/v1/directory/people/le-minh-tuan').set(auth(keys.writer))).status).toBe(404);
  });

  it('when a person is put in NFD, then it is stored and read back NFC; a lone surrogate is a 400 naming the field', async () => {
    const nfd = { name: 'Lê Minh Tuấn'.normalize('NFD'), title: 'Bí thư Đảng ủy phường Hải Châu'.normalize('NFD') };
    const put = await request(app).put('/v1/directory/people/le-minh-tuan').set(auth(keys.writer)).send(nfd);
    expect(put.status).toBe(201);
    const get = await request(app).get('/v1/directory/people/le-minh-tuan').set(auth(keys.writer));
    expect(get.body).toEqual({ id: 'le-minh-tuan', name: 'Lê Minh Tuấn', title: 'Bí thư Đảng ủy phường Hải Châu' });
    const group = await request(app).put('/v1/directory/groups/ban-tv').set(auth(keys.writer)).send({ name: 'Ban Thường vụ'.normalize('NFD'), members: ['le-minh-tuan'] });
    expect(group.status).toBe(201);
    expect((await store.getGroup('ban-tv'))?.name).toBe('Ban Thường vụ');
    // JSON text with an escaped lone surrogate: what a buggy client sends.
    const bad = await request(app).put('/v1/directory/people/sai').set(auth(keys.writer)).set('content-type', 'application/json').send('{"name":"Tr\\ud800n"}');
    expect(bad.status).toBe(400);
    expect((JSON.parse(bad.text) as { errors: unknown[] }).errors).toEqual([{ path: 'name', message: expect.stringMatching(/ill-formed Unicode/) as string }]);
  });

  it('when a person has invalid fields, then the answer is a 400 problem listing each field path', async () => {
    const res = await request(app)
      .put('/v1/directory/people/sai')
      .set(auth(keys.writer))
      .send({ name: ' ', phone: '0123456789', channels: ['sms', 'fax'], userid: 'u-1' });
    expect(res.status).toBe(400);
    const problem = JSON.parse(res.text) as { type: string; errors: Array<{ path: string; message: string }> };
    expect(problem.type).toBe('/problems/invalid-fields');
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['channels[1]', 'name', 'phone', 'userid']);
    expect(problem.errors.find((e) => e.path === 'userid')?.message).toBe('unknown field (did you mean "userId"?)');
    expect(problem.errors.find((e) => e.path === 'phone')?.message).toMatch(/not a valid Vietnamese mobile/);
  });

  it('when the body id differs from the URL, or the URL id is not a directory id, then 400 says which', async () => {
    const mismatch = await request(app).put('/v1/directory/people/a').set(auth(keys.writer)).send({ id: 'b', name: 'B' });
    expect(JSON.parse(mismatch.text)).toMatchObject({ status: 400, errors: [{ path: 'id', message: 'must be "a", the id in the URL, or be left out' }] });
    const badId = await request(app).get('/v1/directory/people/Nguyen%20Van%20A').set(auth(keys.writer));
    expect(JSON.parse(badId.text)).toMatchObject({ status: 400, errors: [{ path: 'params.id' }] });
  });

  it('when a body is not JSON or is malformed JSON, then 415 or 400 answers as a problem', async () => {
    const text = await request(app).put('/v1/directory/people/a').set(auth(keys.writer)).set('content-type', 'text/plain').send('name=A');
    expect(text.status).toBe(415);
    const broken = await request(app).put('/v1/directory/people/a').set(auth(keys.writer)).set('content-type', 'application/json').send('{"name":');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text)).toMatchObject({ type: '/problems/malformed-json' });
  });

  it('when people are listed with a limit, then pages follow the cursor to the end', async () => {
    for (const id of ['c', 'a', 'b']) await request(app).put(`/v1/directory/people/${id}`).set(auth(keys.writer)).send({ name: id.toUpperCase() }).expect(201);
    const first = await request(app).get('/v1/directory/people?limit=2').set(auth(keys.writer));
    expect(first.body).toEqual({ items: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }], nextCursor: 'b' });
    const second = await request(app).get('/v1/directory/people?limit=2&cursor=b').set(auth(keys.writer));
    expect(second.body).toEqual({ items: [{ id: 'c', name: 'C' }] });
    const bad = await request(app).get('/v1/directory/people?limit=5000&cursor=%24').set(auth(keys.writer));
    expect(JSON.parse(bad.text)).toMatchObject({ status: 400, errors: [{ path: 'query.limit' }, { path: 'query.cursor' }] });
  });

  it('when a group is put, then unknown members are refused by path, and a valid group reads back with its members', async () => {
    await request(app).put('/v1/directory/people/a').set(auth(keys.writer)).send({ name: 'A' }).expect(201);
    await request(app).put('/v1/directory/people/b').set(auth(keys.writer)).send({ name: 'B' }).expect(201);
    const refused = await request(app).put('/v1/directory/groups/g').set(auth(keys.writer)).send({ name: 'G', members: ['a', 'ghost'], groups: ['nope', 'g'] });
    expect(refused.status).toBe(400);
    expect((JSON.parse(refused.text) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(['groups[1]']);
    const unknown = await request(app).put('/v1/directory/groups/g').set(auth(keys.writer)).send({ name: 'G', members: ['a', 'ghost'], groups: ['nope'] });
    expect((JSON.parse(unknown.text) as { errors: Array<{ path: string; message: string }> }).errors).toEqual([
      { path: 'members[1]', message: 'no person "ghost" in the directory; add the person first' },
      { path: 'groups[0]', message: 'no group "nope" in the directory; add that group first' },
    ]);

    await request(app).put('/v1/directory/groups/inner').set(auth(keys.writer)).send({ name: 'Inner', members: ['b'] }).expect(201);
    const created = await request(app).put('/v1/directory/groups/g').set(auth(keys.writer)).send({ name: 'Đảng ủy phường Hải Châu', members: ['b', 'a'], groups: ['inner'] });
    expect(created.status).toBe(201);
    const got = await request(app).get('/v1/directory/groups/g').set(auth(keys.writer));
    expect(got.body).toEqual({ id: 'g', name: 'Đảng ủy phường Hải Châu', members: ['b', 'a'], groups: ['inner'] });
    const list = await request(app).get('/v1/directory/groups').set(auth(keys.writer));
    expect(list.body).toEqual({ items: [{ id: 'g', name: 'Đảng ủy phường Hải Châu', memberCount: 2, groupCount: 1 }, { id: 'inner', name: 'Inner', memberCount: 1, groupCount: 0 }] });

    expect((await request(app).delete('/v1/directory/groups/inner').set(auth(keys.writer))).status).toBe(204);
    expect((await request(app).get('/v1/directory/groups/g').set(auth(keys.writer))).body.groups).toEqual([]);
    expect((await request(app).get('/v1/directory/groups/inner').set(auth(keys.writer))).status).toBe(404);
  });

  it('when the store is down, then the answer is 503 with Retry-After', async () => {
    const down = createMemoryDirectoryStore();
    down.getPerson = () => Promise.reject(new DirectoryStoreError('directory store: getPerson failed: Connection is closed.', { retriable: true }));
    const res = await request(appWith(down)).get('/v1/directory/people/a').set(auth(keys.writer));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });
});

describe('directory HTTP API: import', () => {
  it('when the sample directory is posted as JSON, then everything is imported and its groups are readable', async () => {
    const sample = readFileSync(join(__dirname, '../../../../packages/directory/examples/sample-directory.json'), 'utf8');
    const res = await request(app).post('/v1/directory/import').set(auth(keys.writer)).set('content-type', 'application/json').send(sample);
    expect(res.status).toBe(200);
    const report = res.body as ImportReport;
    expect(report.rejected).toEqual([]);
    expect(report.imported).toBeGreaterThan(100);
    const bch = await request(app).get('/v1/directory/groups/bch-thanh-uy').set(auth(keys.writer));
    expect(bch.body).toMatchObject({ id: 'bch-thanh-uy', groups: ['ban-thuong-vu-thanh-uy'] });
  });

  it('when a CSV with a BOM, quoted commas and bad rows is posted, then good rows are imported and bad rows come back with row numbers and reasons', async () => {
    await request(app).put('/v1/directory/groups/dang-uy-phuong-hai-chau').set(auth(keys.writer)).send({ name: 'Đảng ủy phường Hải Châu' }).expect(201);
    const csv = [
      'id,name,title,unit,phone,email,userId,channels,groups',
      'le-minh-tuan,Lê Minh Tuấn,Bí thư,"Đảng ủy phường Hải Châu, Đà Nẵng",0905 123 456,lmtuan@danang.gov.vn,u-20417,sms;inapp,dang-uy-phuong-hai-chau',
      'sai-so,Sai Số,,,0123456789,,,,',
      'khong-ten,,,,,,,,',
    ].join('\r\n');
    const res = await request(app)
      .post('/v1/directory/import')
      .set(auth(keys.writer))
      .set('content-type', 'text/csv; charset=utf-8')
      .send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv, 'utf8')]));
    expect(res.status).toBe(200);
    const report = res.body as ImportReport;
    expect(report).toMatchObject({ imported: 1, memberships: 1, rejectedCount: 2, rowNumbering: expect.stringContaining('header is row 1') as string });
    expect(report.rejected).toEqual([
      { row: 3, id: 'sai-so', errors: [{ field: 'phone', message: expect.stringMatching(/not a valid Vietnamese mobile/) as string }] },
      { row: 4, id: 'khong-ten', errors: [{ field: 'name', message: 'required' }] },
    ]);
    const person = await request(app).get('/v1/directory/people/le-minh-tuan').set(auth(keys.writer));
    expect(person.body).toMatchObject({ phone: '+84905123456', unit: 'Đảng ủy phường Hải Châu, Đà Nẵng', channels: ['sms', 'inapp'] });
    expect((await request(app).get('/v1/directory/groups/dang-uy-phuong-hai-chau').set(auth(keys.writer))).body.members).toEqual(['le-minh-tuan']);
  });

  it('when a CSV is not UTF-8 (a Windows-1258 export), then it is refused with 415 rather than imported garbled', async () => {
    const latin = Buffer.from('id,name\nnguyen-van-an,Nguy\xeAn V\xe3n An\n', 'latin1');
    const res = await request(app).post('/v1/directory/import').set(auth(keys.writer)).set('content-type', 'text/csv').send(latin);
    expect(res.status).toBe(415);
    expect(JSON.parse(res.text).detail).toMatch(/UTF-8/);
    const declared = await request(app).post('/v1/directory/import').set(auth(keys.writer)).set('content-type', 'text/csv; charset=windows-1258').send('id,name\n');
    expect(declared.status).toBe(415);
  });

  it('when the CSV header is wrong or the body type is neither JSON nor CSV, then the whole request is refused', async () => {
    const header = await request(app).post('/v1/directory/import').set(auth(keys.writer)).set('content-type', 'text/csv').send('ma,ten\n');
    expect(header.status).toBe(400);
    expect((JSON.parse(header.text) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(['header[1]', 'header[2]', 'header', 'header']);
    const xml = await request(app).post('/v1/directory/import').set(auth(keys.writer)).set('content-type', 'application/xml').send('<people/>');
    expect(xml.status).toBe(415);
  });

  it('when the JSON import has the wrong shape, then 400 lists the paths', async () => {
    const res = await request(app).post('/v1/directory/import').set(auth(keys.writer)).send({ people: 'all' });
    expect(JSON.parse(res.text)).toMatchObject({ status: 400, errors: [{ path: 'people' }] });
  });

  it('when an import is over the body limit, then 413 answers as a problem', async () => {
    const small = appWith(store, 1024);
    const res = await request(small).post('/v1/directory/import').set(auth(keys.writer)).set('content-type', 'text/csv').send(`id,name\n${'a,b\n'.repeat(400)}`);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({ type: '/problems/too-large' });
  });
});
