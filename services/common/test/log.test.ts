import { Writable } from 'node:stream';
import { createLogger, maskContacts, maskEmail, maskPhone } from '../src/log';

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
