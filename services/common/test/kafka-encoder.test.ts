import { createRequire } from 'node:module';

// patches/kafkajs+2.2.4.patch (applied by npm's postinstall) makes kafkajs's protocol Encoder take
// its buffers from Buffer.allocUnsafe instead of Buffer.alloc: a fan-out of 10,000 people builds
// hundreds of thousands of small encoders, and zero-filling a fresh ArrayBuffer for each was a
// tenth of the renderer's CPU. These tests fail if the patch is missing, and show that the bytes
// kafkajs sends never depend on what was in the memory it reused.
const load = createRequire(require.resolve('kafkajs'));
const Encoder = load('./src/protocol/encoder') as { new (size?: number): { buffer: Buffer }; prototype: { ensureAvailable: (n: number) => void } };
const { RecordBatch } = load('./src/protocol/recordBatch/v0') as { RecordBatch: (batch: { records: unknown[]; firstTimestamp: number; maxTimestamp: number }) => Promise<{ buffer: Buffer }> };
const Record = load('./src/protocol/recordBatch/record/v0') as (record: { offsetDelta: number; key: Buffer; value: Buffer; headers: Record<string, string> }) => unknown;
const Decoder = load('./src/protocol/decoder') as new (buffer: Buffer) => unknown;
const decodeBatch = load('./src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<{ records: Array<{ key: Buffer; value: Buffer; headers: Record<string, Buffer> }> }>;

const records = () =>
  ['Giấy mời họp Ban Chấp hành', 'Công văn hỏa tốc 125-CV/TU', 'x'.repeat(20_000)].map((text, i) =>
    Record({ offsetDelta: i, key: Buffer.from(`cb-${i}`), value: Buffer.from(JSON.stringify({ text })), headers: { 'event-id': `e-${i}`, 'message-status': 'rendered' } }),
  );

/** Leaves Node's shared buffer pool and the heap full of 0xAB bytes, so unwritten memory would show. */
function dirtyTheMemory() {
  for (let i = 0; i < 64; i++) Buffer.allocUnsafe(512).fill(0xab);
  Buffer.allocUnsafe(1 << 16).fill(0xab);
}

describe('kafkajs protocol encoder (patched by patch-package)', () => {
  it('when kafkajs is installed, then its encoder grows into unzeroed buffers (the patch is applied)', () => {
    expect(Encoder.prototype.ensureAvailable.toString()).toContain('Buffer.allocUnsafe');
    expect(Encoder.toString()).toContain('this.buf = Buffer.allocUnsafe(');
  });

  it('when a record batch is encoded over dirtied memory, then its bytes are the same each time and decode back to the records', async () => {
    const at = 1_764_288_000_000;
    const first = (await RecordBatch({ records: records(), firstTimestamp: at, maxTimestamp: at })).buffer;
    dirtyTheMemory();
    const second = (await RecordBatch({ records: records(), firstTimestamp: at, maxTimestamp: at })).buffer;
    expect(second.equals(first)).toBe(true);

    const decoded = await decodeBatch(new Decoder(second));
    expect(decoded.records.map((r) => ({ key: r.key.toString(), text: (JSON.parse(r.value.toString()) as { text: string }).text.slice(0, 30), status: r.headers['message-status']?.toString() }))).toEqual([
      { key: 'cb-0', text: 'Giấy mời họp Ban Chấp hành', status: 'rendered' },
      { key: 'cb-1', text: 'Công văn hỏa tốc 125-CV/TU', status: 'rendered' },
      { key: 'cb-2', text: 'x'.repeat(30), status: 'rendered' },
    ]);
  });

  it('when an encoder grows past its first buffer, then only what was written is returned', () => {
    const e = new Encoder(4) as unknown as { writeInt32(v: number): unknown; writeString(v: string): unknown; buffer: Buffer };
    dirtyTheMemory();
    e.writeInt32(7);
    e.writeString('đồng chí');
    expect([...e.buffer]).toEqual([0, 0, 0, 7, 0, Buffer.byteLength('đồng chí'), ...Buffer.from('đồng chí')]);
  });
});
