import { Writable } from 'node:stream';
import { createLogger, maskContacts, maskEmail, maskForLog, maskPhone } from '../src/log';

describe('log masking', () => {
  it('when a phone or email is masked, then only enough remains to tell them apart', () => {
    expect(maskPhone('+84905123456')).toBe('+84905***456');
    expect(maskEmail('nguyen.van.a@danang.gov.vn')).toBe('n***@danang.gov.vn');
    expect(maskContacts('gửi 0905 123 456 và tran.thi.b@danang.gov.vn')).not.toMatch(/123 456|tran\.thi/);
  });

  it('when a log line carries contacts and keys in fields or message, then none reaches the output', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ name: 't', level: 'info', destination: sink });
    log.info({ recipient: { phone: '+84905123456', email: 'le.van.c@danang.gov.vn' }, authorization: 'Bearer gw_secret', apiKey: 'gw_secret2' }, 'sent to +84912345678');
    const out = lines.join('');
    for (const secret of ['+84905123456', 'le.van.c@', 'gw_secret', '+84912345678']) expect(out).not.toContain(secret);
    expect(out).toContain('+84905***456');
  });
});

describe('log masking at any depth', () => {
  function capture() {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    return { log: createLogger({ name: 't', level: 'info', destination: sink }), out: () => lines.join('') };
  }
  const PHONE = '+84905123456';
  const EMAIL = 'le.van.c@danang.gov.vn';
  const leaks = (out: string): string[] => [PHONE, '0912345678', EMAIL, 'tran.thi.b@'].filter((s) => out.includes(s));

  it('when contacts sit eight levels deep and inside arrays, then they are masked', () => {
    const { log, out } = capture();
    const deep = { a: { b: { c: { d: { e: { f: { g: { phone: PHONE, list: [[{ email: EMAIL }], 'gọi 0912345678'] } } } } } } } };
    log.warn(deep, 'projection failed');
    expect(leaks(out())).toEqual([]);
    expect(out()).toContain('+84905***456');
  });

  it('when an error carries contacts in its message, stack, cause and own properties, then all are masked and its type stays', () => {
    const { log, out } = capture();
    class ReplyError extends Error {
      override readonly name = 'ReplyError';
      command = { name: 'evalsha', args: ['gw:n:1', PHONE, JSON.stringify({ email: EMAIL })] };
    }
    const cause = new Error(`cjson: invalid unicode escape near ${EMAIL}`);
    const err = new ReplyError(`ERR script failed for ${PHONE}`, { cause });
    const kafkaLike = Object.assign(new Error('kafka: send failed'), { retriable: true, originalError: err, payload: [{ value: `tran.thi.b@danang.gov.vn` }] });
    log.error({ err: kafkaLike }, 'consumer crashed');
    log.error(err, 'as the first argument');
    log.error({ error: err, nested: { again: { err } } }, 'under other keys');
    const text = out();
    expect(leaks(text)).toEqual([]);
    expect(text).toContain('"type":"Error"');
    expect(text).toContain('"type":"ReplyError"');
    expect(text).toContain('ERR script failed for +84905***456');
    expect(text).toContain('l***@danang.gov.vn');
    // The caller's error is not changed by logging it.
    expect(err.message).toContain(PHONE);
    expect(err.command.args[1]).toBe(PHONE);
  });

  it('when a logged object contains itself, then the line is written without looping and still masked', () => {
    const { log, out } = capture();
    const node: Record<string, unknown> = { phone: PHONE };
    node.self = node;
    node.list = [node, { email: EMAIL }];
    const err = new Error(`loop ${PHONE}`) as Error & { self?: unknown };
    err.self = err;
    err.cause = err;
    log.info({ node, err }, 'cyclic');
    expect(leaks(out())).toEqual([]);
    expect(out()).toContain('[Circular]');
  });

  it('when nothing needs masking, then the same object goes to pino unchanged', () => {
    const value = { eventId: 'e1', ms: 12, nested: { list: [1, 'two'] } };
    expect(maskForLog(value)).toBe(value);
    const err = new Error('plain failure');
    expect(maskForLog(err)).toBe(err);
  });
});
