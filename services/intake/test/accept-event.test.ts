import { loadExample, type GatewayEvent } from '@gateway/contracts';
import { createEventAcceptor, type EventSink } from '../src/app/accept-event';
import type { BeginResult, IdempotencyStore, StoredAnswer } from '../src/domain/idempotency';
import { fingerprint } from '../src/domain/idempotency';
import { KeyRing, hashKey } from '@gateway/common';

/** In-memory stand-in for the Redis store, with the same contract (pure logic test). */
function memoryStore(): IdempotencyStore & { records: Map<string, { f: string; done?: StoredAnswer }> } {
  const records = new Map<string, { f: string; done?: StoredAnswer }>();
  return {
    records,
    async begin(scope, key, fp): Promise<BeginResult> {
      const k = `${scope}:${key}`;
      const cur = records.get(k);
      if (!cur) {
        records.set(k, { f: fp });
        return { state: 'acquired' };
      }
      if (cur.f !== fp) return { state: 'conflict' };
      return cur.done ? { state: 'done', answer: cur.done } : { state: 'pending' };
    },
    async complete(scope, key, fp, answer) {
      const cur = records.get(`${scope}:${key}`);
      if (cur?.f === fp && !cur.done) cur.done = answer;
    },
    async abandon(scope, key, fp) {
      if (records.get(`${scope}:${key}`)?.f === fp) records.delete(`${scope}:${key}`);
    },
  };
}

const principal = new KeyRing({ keys: [{ name: 'src', sha256: hashKey('k'), scopes: ['events:write'] }] }).authenticate('k')!;

function controllableSink() {
  const published: GatewayEvent[] = [];
  const values: string[] = [];
  let gate: { release: () => void; fail: (e: Error) => void } | undefined;
  let hold = false;
  const sink: EventSink = {
    publish(event, meta) {
      values.push(meta.json);
      if (!hold) {
        published.push(event);
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        gate = {
          release: () => {
            published.push(event);
            resolve();
          },
          fail: reject,
        };
      });
    },
  };
  return { sink, published, values, holdNext: (h: boolean) => (hold = h), gate: () => gate };
}

describe('accepting an event (domain, with in-memory ports)', () => {
  it('when the broker acknowledges after the timeout, then the client gets 503, and its retry is answered from the record without a second publish', async () => {
    const store = memoryStore();
    const s = controllableSink();
    const accept = createEventAcceptor({ sink: s.sink, idempotency: store, publishTimeoutMs: 20 });
    const event = loadExample('meeting-cancelled');
    s.holdNext(true);
    const first = await accept(event, { principal });
    expect(first.kind).toBe('unavailable');
    s.holdNext(false);
    s.gate()?.release();
    await new Promise((r) => setImmediate(r));
    const retry = await accept(event, { principal });
    expect(retry).toMatchObject({ kind: 'accepted', replayed: true });
    expect(s.published).toHaveLength(1);
  });

  it('when the broker refuses, then 503 and the claim is freed so the retry publishes', async () => {
    const store = memoryStore();
    const s = controllableSink();
    const accept = createEventAcceptor({ sink: s.sink, idempotency: store, publishTimeoutMs: 1000 });
    const event = loadExample('meeting-cancelled');
    s.holdNext(true);
    const pending = accept(event, { principal });
    await new Promise((r) => setImmediate(r));
    s.gate()?.fail(new Error('NOT_ENOUGH_REPLICAS'));
    expect(await pending).toMatchObject({ kind: 'unavailable', status: 503 });
    s.holdNext(false);
    expect(await accept(event, { principal })).toMatchObject({ kind: 'accepted', replayed: false });
    expect(s.published).toHaveLength(1);
  });

  it('when the same id comes with another body, then conflict', async () => {
    const s = controllableSink();
    const accept = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000 });
    const event = loadExample('meeting-cancelled') as Record<string, unknown>;
    expect((await accept(event, { principal })).kind).toBe('accepted');
    expect((await accept({ ...event, source: 'khac' }, { principal })).kind).toBe('conflict');
  });

  it('when two bodies differ only in key order and phone format, then they are the same event', async () => {
    const s = controllableSink();
    const accept = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000 });
    const event = loadExample('document-dispatched-hoa-toc') as { data: { recipients: unknown[] } } & Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const localPhone = { ...event, data: { ...event.data, recipients: [...event.data.recipients, { id: 'nv-moi', name: 'Lê Văn Mới', phone: '0905 123 456' }] } };
    const e164Phone = { ...event, data: { ...event.data, recipients: [...event.data.recipients, { id: 'nv-moi', name: 'Lê Văn Mới', phone: '+84905123456' }] } };
    expect(fingerprint(reordered)).not.toBe(fingerprint(event)); // raw JSON differs...
    expect(await accept(event, { principal })).toMatchObject({ kind: 'accepted', replayed: false });
    expect(await accept(reordered, { principal })).toMatchObject({ kind: 'accepted', replayed: true }); // ...the event does not
    const other = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000 });
    expect(await other(localPhone, { principal })).toMatchObject({ replayed: false });
    expect(await other(e164Phone, { principal })).toMatchObject({ replayed: true });
  });

  it('when an event comes without an id, then the stored value is the event with the assigned id, and a repeat under the same Idempotency-Key is the same event', async () => {
    const s = controllableSink();
    const accept = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000, newId: () => 'evt-assigned-1' });
    const { id: _id, ...withoutId } = loadExample('meeting-cancelled') as Record<string, unknown>;
    const first = await accept(withoutId, { principal, idempotencyKey: 'lan-gui-1' });
    expect(first).toMatchObject({ kind: 'accepted', replayed: false, eventId: 'evt-assigned-1' });
    expect(s.values).toHaveLength(1);
    expect(JSON.parse(s.values[0] ?? '')).toEqual({ ...s.published[0], id: 'evt-assigned-1' });
    // The fingerprint is of what the client sent, not of the id we added: the repeat matches.
    expect(await accept(withoutId, { principal, idempotencyKey: 'lan-gui-1' })).toMatchObject({ kind: 'accepted', replayed: true, eventId: 'evt-assigned-1' });
    expect(s.values).toHaveLength(1);
  });

  it('when a key bound to its sources sends an event of another source, then 403 naming the source, nothing is published and the id stays free for its owner', async () => {
    const s = controllableSink();
    const meta: string[] = [];
    const sink: EventSink = { publish: (event, m) => (meta.push(m.sender), s.sink.publish(event, m)) };
    const store = memoryStore();
    const accept = createEventAcceptor({ sink, idempotency: store, publishTimeoutMs: 1000 });
    const ring = new KeyRing({ keys: [
      { name: 'he-thong-hop', sha256: hashKey('a'), scopes: ['events:write'], sources: ['vpthanhuy-lichhop'] },
      { name: 'he-thong-van-ban', sha256: hashKey('b'), scopes: ['events:write'], sources: ['vpthanhuy-vanban'] },
    ] });
    const event = loadExample('meeting-cancelled') as Record<string, unknown>;
    expect(event.source).toBe('vpthanhuy-lichhop');
    const refused = await accept(event, { principal: ring.authenticate('b')! });
    expect(refused).toEqual({ kind: 'foreign-source', status: 403, keyName: 'he-thong-van-ban', source: 'vpthanhuy-lichhop', owned: ['vpthanhuy-vanban'] });
    expect(s.published).toHaveLength(0);
    expect(store.records.size).toBe(0);
    expect(await accept(event, { principal: ring.authenticate('a')! })).toMatchObject({ kind: 'accepted', replayed: false });
    // The sink is told which sender the key was checked to be.
    expect(meta).toEqual(['vpthanhuy-lichhop']);
  });

  it('when a key has no sources binding (a keys file from before it) or is bound to "*", then it may send any source', async () => {
    const s = controllableSink();
    const accept = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000 });
    const ring = new KeyRing({ keys: [
      { name: 'cu', sha256: hashKey('old'), scopes: ['events:write'] },
      { name: 'moi', sha256: hashKey('any'), scopes: ['events:write'], sources: ['*'] },
    ] });
    expect(ring.unbound).toEqual(['cu']);
    const event = loadExample('meeting-cancelled') as Record<string, unknown>;
    expect(await accept({ ...event, id: 'x-1' }, { principal: ring.authenticate('old')! })).toMatchObject({ kind: 'accepted' });
    expect(await accept({ ...event, id: 'x-2' }, { principal: ring.authenticate('any')! })).toMatchObject({ kind: 'accepted' });
  });

  describe('a classified document', () => {
    const matEvent = () => loadExample('document-dispatched-mat') as { id: string; data: Record<string, unknown> } & Record<string, unknown>;
    const withheld = ['summary', 'issuingBody', 'issueDate', 'arrivalNumber', 'arrivalDate', 'deadline', 'handlers'];

    it('when a mật document is accepted, then what is stored has no summary, issuing body, dates or handlers, and the rest is kept', async () => {
      const s = controllableSink();
      const accept = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000 });
      const event = matEvent();
      expect(await accept(event, { principal })).toMatchObject({ kind: 'accepted', replayed: false });
      const stored = JSON.parse(s.values[0] ?? '') as { data: Record<string, unknown> };
      for (const field of withheld) expect(stored.data).not.toHaveProperty(field);
      expect(s.published[0]?.data).not.toHaveProperty('summary');
      expect(stored.data).toMatchObject({ documentId: event.data.documentId, number: '36-HD/VPTW', secrecy: 'mat', link: event.data.link, recipients: event.data.recipients });
      expect(s.values[0]).not.toContain('công tác văn thư');
    });

    it('when the same mật event is retried, then it is a replay; with another summary under the same id, a conflict', async () => {
      const s = controllableSink();
      const accept = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000 });
      const event = matEvent();
      expect(await accept(event, { principal })).toMatchObject({ kind: 'accepted', replayed: false });
      expect(await accept(matEvent(), { principal })).toMatchObject({ kind: 'accepted', replayed: true });
      expect(await accept({ ...event, data: { ...event.data, summary: 'Một trích yếu khác' } }, { principal })).toMatchObject({ kind: 'conflict', status: 409 });
      expect(await accept({ ...event, data: { ...event.data, handlers: ['Ban Dân vận Thành ủy'] } }, { principal })).toMatchObject({ kind: 'conflict' });
      expect(s.values).toHaveLength(1);
    });

    it('when a mật document comes without summary or issuing body, then it is accepted; an ordinary one is refused naming them', async () => {
      const s = controllableSink();
      const accept = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000 });
      const event = matEvent();
      const bare = { ...event, id: 'mat-bare', data: Object.fromEntries(Object.entries(event.data).filter(([k]) => !withheld.includes(k))) };
      expect(await accept(bare, { principal })).toMatchObject({ kind: 'accepted' });
      const ordinary = { ...bare, id: 'thuong-bare', data: { ...bare.data, secrecy: 'thuong' } };
      const refused = await accept(ordinary, { principal });
      expect(refused).toMatchObject({ kind: 'invalid', status: 400 });
      expect(refused.kind === 'invalid' && refused.issues.map((i) => i.path).sort()).toEqual(['data.issueDate', 'data.issuingBody', 'data.summary']);
    });

    it('when an ordinary document is accepted, then it is stored as sent', async () => {
      const s = controllableSink();
      const accept = createEventAcceptor({ sink: s.sink, idempotency: memoryStore(), publishTimeoutMs: 1000 });
      await accept(loadExample('document-dispatched-hoa-toc'), { principal });
      expect(JSON.parse(s.values[0] ?? '')).toMatchObject({ data: { summary: expect.any(String) as string, handlers: expect.any(Array) as unknown[] } });
    });
  });
});
