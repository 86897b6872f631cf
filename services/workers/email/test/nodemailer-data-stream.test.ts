import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';

// patches/nodemailer+10.6.1.patch (applied by npm's postinstall) gives nodemailer's SMTP data
// stream a fast path: a chunk whose line breaks are all CRLF and where no line starts with a dot
// passes as it is, found with native searches for CR and LF instead of a JavaScript loop over every
// byte (figures: docs/adr/0002-patched-nodemailer-data-stream.md). These tests fail if the
// patch is missing, and show that the stream still writes exactly what it wrote before (RFC 5321
// 4.5.2 dot-stuffing and the final dot line, and nodemailer's own rule that a bare CR or LF becomes
// CRLF) however the input is cut.
const load = createRequire(require.resolve('nodemailer'));
const DataStream = load('./smtp-connection/data-stream') as new () => Transform & { _needsNothing?: unknown };

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** What the stream must write for `input`, byte by byte from the rules, in one piece. */
function expected(input: Buffer): Buffer {
  const out: number[] = [];
  let prev: number | false = false;
  for (const byte of input) {
    if (prev === CR && byte !== LF) out.push(LF, ...(byte === DOT ? [DOT] : []));
    else if (byte === LF && prev !== CR) out.push(CR);
    else if (byte === DOT && (prev === LF || prev === false)) out.push(DOT);
    out.push(byte);
    prev = byte;
  }
  out.push(...(prev === LF ? [DOT, CR, LF] : prev === CR ? [LF, DOT, CR, LF] : [CR, LF, DOT, CR, LF]));
  return Buffer.from(out);
}

async function through(chunks: Buffer[]): Promise<Buffer> {
  const stream = new DataStream();
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  return Buffer.concat(out);
}

let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

/** Cuts `input` into 1-5 pieces at random places (empty pieces included). */
function cut(input: Buffer): Buffer[] {
  const points = Array.from({ length: Math.floor(random() * 5) }, () => Math.floor(random() * (input.length + 1))).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(input.subarray(from, point));
    from = point;
  }
  pieces.push(input.subarray(from));
  return pieces;
}

describe("nodemailer's SMTP data stream (patched by patch-package)", () => {
  it('when nodemailer is installed, then its data stream has the fast path (the patch is applied)', () => {
    expect(typeof DataStream.prototype._needsNothing).toBe('function');
  });

  it('when a well-formed message goes through, then it comes out unchanged but for the final dot line', async () => {
    const message = Buffer.from('Subject: =?UTF-8?B?R2nhuqV5IG3hu51p?=\r\n\r\nR2nhuqV5IG3hu51pIGjhu41w\r\nLi4u\r\n');
    expect((await through([message])).toString()).toBe(`${message.toString()}.\r\n`);
  });

  it.each([
    ['a line that starts with a dot', '.\r\n..hidden\r\nline\r\n.', 'a'],
    ['bare LF and bare CR line breaks', 'one\ntwo\rthree\r\n', 'x'],
    ['a CR at the end of one chunk and an LF at the start of the next', 'line\r', '\n.next\r\n'],
    ['a CR at the end of one chunk and a dot at the start of the next', 'line\r', '.next'],
    ['an LF at the end of one chunk and a dot at the start of the next', 'line\r\n', '.next'],
    ['an LF without CR at the start of a chunk', 'line', '\nnext'],
    ['the SMTP smuggling sequence', 'a\r\n', '.\r.\r\n'],
  ])('when the input holds %s, then the bytes are stuffed and normalised as before', async (_what, first, second) => {
    const input = [Buffer.from(first), Buffer.from(second)];
    expect((await through(input)).toString('latin1')).toBe(expected(Buffer.concat(input)).toString('latin1'));
  });

  it('when 3,000 random inputs of CR, LF, dots and letters are cut at random places, then every output is what the rules give (RFC 5321 and nodemailer line breaks)', async () => {
    const alphabet = [CR, LF, DOT, 0x61, 0x61, 0x62];
    const mismatches: string[] = [];
    // Counts the chunks that took the fast path, so the comparison covers both paths.
    const proto = DataStream.prototype as unknown as { _needsNothing(chunk: Buffer): boolean };
    const needsNothing = proto._needsNothing;
    let fast = 0;
    const spy = jest.spyOn(proto, '_needsNothing').mockImplementation(function (this: unknown, chunk: Buffer) {
      const result = needsNothing.call(this, chunk);
      if (result) fast++;
      return result;
    });
    for (let n = 0; n < 3000; n++) {
      // Every other input has CRLF line breaks only, as a composed email has.
      const input = Buffer.from(
        n % 2
          ? Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)] as number)
          : Array.from({ length: Math.floor(random() * 12) }, () => (random() < 0.3 ? [CR, LF] : random() < 0.1 ? [DOT] : [0x61])).flat(),
      );
      const got = await through(cut(input));
      if (!got.equals(expected(input))) mismatches.push(JSON.stringify(input.toString('latin1')));
    }
    spy.mockRestore();
    expect(mismatches).toEqual([]);
    expect(fast).toBeGreaterThan(1000);
  });
});
