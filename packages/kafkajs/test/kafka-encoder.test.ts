import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// Our changes to kafkajs 2.2.4 (README.md, marked `patched in by meeting-doc-notify-gateway`) make
// its produce encoding cheaper without changing a byte of it:
// - the protocol Encoder takes its buffers from Buffer.allocUnsafe instead of Buffer.alloc (a
//   big fan-out builds hundreds of thousands of small encoders, and zero-filling a fresh
//   ArrayBuffer for each was a visible share of the renderer's CPU);
// - a record is one encoder sized for it with its headers written in place, record batches
//   and arrays of encoders grow once instead of doubling and copying;
// - the batch CRC-32C reads eight bytes per step (slicing-by-8) instead of one.
// Figures and the commands: docs/adr/0001-patched-kafkajs-encoder.md.
// These tests fail if a change is missing, show that the bytes kafkajs sends are those of the
// unchanged kafkajs 2.2.4, and that they never depend on what was in the memory it reused.
const load = createRequire(require.resolve('@gateway/kafkajs'));
const Encoder = load('./src/protocol/encoder') as { new (size?: number): { buffer: Buffer }; prototype: { ensureAvailable: (n: number) => void } };
const { RecordBatch } = load('./src/protocol/recordBatch/v0') as { RecordBatch: (batch: { records: unknown[]; firstTimestamp: number; maxTimestamp: number }) => Promise<{ buffer: Buffer }> };
const Record = load('./src/protocol/recordBatch/record/v0') as (record: { offsetDelta: number; key: Buffer; value: Buffer; headers: Record<string, string> }) => unknown;
const crc32C = load('./src/protocol/recordBatch/crc32C') as (buffer: Buffer) => number;
const Produce = load('./src/protocol/requests/produce/v3/request') as (request: { acks: number; timeout: number; topicData: unknown[] }) => { encode(): Promise<{ buffer: Buffer }> };
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

describe('kafkajs protocol encoder (vendored with our changes)', () => {
  it('when @gateway/kafkajs is loaded, then its encoder grows into unzeroed buffers (the change is in)', () => {
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

  it('when @gateway/kafkajs is loaded, then records are encoded in one piece and the CRC eight bytes at a time (the change is in)', () => {
    expect(Record.toString()).not.toContain('.map(Header)');
    expect(Record.toString()).toContain('new Encoder(Encoder.sizeOfVarInt(sizeOfBody) + sizeOfBody)');
    expect(String(load('./src/protocol/recordBatch/crc32C/crc32C'))).toContain('one >>> 24');
  });

  it('when records of every shape are encoded, then the bytes are those of a record with an encoder per header, as unpatched kafkajs built it', () => {
    // Unpatched kafkajs 2.2.4's record/v0, written out with its own Encoder and Header modules.
    const Header = load('./src/protocol/recordBatch/header/v0') as (header: { key: string; value: unknown }) => unknown;
    type Enc = { writeVarInt(v: number): Enc; writeInt8(v: number): Enc; writeVarLong(v: number): Enc; writeVarIntBytes(v: unknown): Enc; writeVarIntArray(a: unknown[]): Enc; buffer: Buffer };
    const Sizes = Encoder as unknown as { sizeOfVarInt(v: number): number; sizeOfVarLong(v: number): number; sizeOfVarIntBytes(v: unknown): number };
    const unpatched = ({ offsetDelta, timestampDelta, key, value, headers }: { offsetDelta: number; timestampDelta: number; key: unknown; value: unknown; headers: Record<string, unknown> }): Buffer => {
      const list = Object.keys(headers).flatMap((k) => (Array.isArray(headers[k]) ? (headers[k] as unknown[]).map((v) => ({ key: k, value: v })) : [{ key: k, value: headers[k] }]));
      let sizeOfHeaders = Sizes.sizeOfVarInt(list.length);
      for (const h of list) {
        const keySize = Buffer.byteLength(h.key);
        const valueSize = Buffer.byteLength(h.value as string | Buffer);
        sizeOfHeaders += Sizes.sizeOfVarInt(keySize) + keySize + Sizes.sizeOfVarInt(valueSize) + valueSize;
      }
      const sizeOfBody = 1 + Sizes.sizeOfVarLong(timestampDelta) + Sizes.sizeOfVarInt(offsetDelta) + Sizes.sizeOfVarIntBytes(key) + Sizes.sizeOfVarIntBytes(value) + sizeOfHeaders;
      return (new Encoder() as unknown as Enc).writeVarInt(sizeOfBody).writeInt8(0).writeVarLong(timestampDelta).writeVarInt(offsetDelta).writeVarIntBytes(key).writeVarIntBytes(value).writeVarIntArray(list.map(Header)).buffer;
    };
    const encode = Record as unknown as (record: Parameters<typeof unpatched>[0]) => { buffer: Buffer };
    const shapes = [
      { key: null, value: null, headers: {} },
      { key: 'cb-1', value: 'Giấy mời họp', headers: { 'event-id': 'e-1' } },
      { key: Buffer.from([0, 255]), value: Buffer.alloc(70_000, 0x61), headers: { 'tiếng-việt': ['một', Buffer.from('hai')], 'message-status': 'rendered' } },
      { key: 'k'.repeat(200), value: 'x'.repeat(16_384 - 30), headers: { a: '' } },
    ];
    for (const [i, shape] of shapes.entries()) {
      const record = { offsetDelta: i * 300, timestampDelta: i * 123_456_789, ...shape };
      expect(encode(record).buffer.equals(unpatched(record))).toBe(true);
    }
  });

  it('when a CRC-32C is computed, then it is the Castagnoli CRC for every length and alignment', () => {
    // Bit by bit, straight from the polynomial: slow and obviously right.
    const reference = (bytes: Buffer) => {
      let crc = 0xffffffff;
      for (const byte of bytes) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
      return (crc ^ 0xffffffff) >>> 0;
    };
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283); // the check value of CRC-32C
    const data = Buffer.from(Array.from({ length: 4200 }, (_, i) => (i * 131 + (i >> 3) * 17) & 0xff));
    for (const [start, length] of [[0, 0], [0, 1], [3, 7], [0, 8], [5, 9], [1, 63], [0, 64], [7, 65], [0, 4096], [13, 4187]] as const) {
      const slice = data.subarray(start, start + length);
      expect(crc32C(slice)).toBe(reference(slice));
    }
  });

  it('when a record batch is encoded, then its CRC field is the CRC-32C of the bytes after it', async () => {
    const at = 1_764_288_000_000;
    const batch = (await RecordBatch({ records: records(), firstTimestamp: at, maxTimestamp: at })).buffer;
    // FirstOffset (8) · Length (4) · PartitionLeaderEpoch (4) · Magic (1) · CRC (4) · attributes onwards
    expect(batch.readUInt32BE(17)).toBe(crc32C(batch.subarray(21)));
    expect(batch.readInt32BE(8)).toBe(batch.length - 12);
  });

  it('when produce requests of every shape are encoded, then the bytes are those of the unpatched kafkajs 2.2.4', async () => {
    // The same pseudo-random requests as encoded by kafkajs 2.2.4 without the patch (only the
    // allocUnsafe change, which cannot change bytes, see above): 40 requests, 1-4 partitions of
    // 1-50 records, null / string / binary keys and values up to 20 KB, 0-4 headers per record with
    // string, binary and repeated values, and Vietnamese in keys and header names.
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
    const encoded: Buffer[] = [];
    for (let t = 0; t < 40; t++) {
      const partitions = [];
      const partitionCount = 1 + Math.floor(rnd() * 4);
      for (let p = 0; p < partitionCount; p++) {
        const messages = [];
        const messageCount = Math.floor(rnd() * 50) + 1;
        for (let i = 0; i < messageCount; i++) {
          const r = rnd();
          const headers: Record<string, string | Buffer | Array<string | Buffer>> = {};
          const headerCount = Math.floor(rnd() * 5);
          for (let h = 0; h < headerCount; h++) {
            const v = rnd();
            headers[`h${h}ế`] = v < 0.4 ? [`a${h}`, Buffer.from('bb')] : v < 0.6 ? bytes(Math.floor(rnd() * 300)) : `giá trị ${h}`;
          }
          messages.push({
            key: r < 0.1 ? null : r < 0.5 ? bytes(Math.floor(rnd() * 40)) : `khóa-${i}`,
            value: r < 0.05 ? null : r < 0.3 ? bytes(Math.floor(rnd() * 20000)) : 'Nguyễn '.repeat(Math.floor(rnd() * 100)),
            headers,
            timestamp: 1_700_000_000_000 + Math.floor(rnd() * 1000),
          });
        }
        partitions.push({ partition: p, messages });
      }
      dirtyTheMemory();
      encoded.push((await Produce({ acks: -1, timeout: 30_000, topicData: [{ topic: `t${t}`, partitions }] }).encode()).buffer);
    }
    const all = Buffer.concat(encoded);
    expect(all.length).toBe(8_577_924);
    expect(createHash('sha256').update(all).digest('hex')).toBe('4d9941af934997aff0b1af6a6779a40fd12e1ba4ca2d178298eb02ed09938dd5');
  });
});
