import { ProviderError } from '@gateway/worker-core';
import { classifySmtpError, messageIdHeader } from '../src';

function nodemailerError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'failed')), fields);
}

describe('classifySmtpError', () => {
  it.each([
    [{ responseCode: 421, response: '421 Service not available', code: 'EPROTOCOL' }, 'transient', '421'],
    [{ responseCode: 451, response: '451 Try again later', code: 'EMESSAGE' }, 'transient', '451'],
    [{ responseCode: 452, response: '452 Mailbox full', code: 'EENVELOPE' }, 'transient', '452'],
    [{ responseCode: 550, response: '550 No such user', code: 'EENVELOPE' }, 'permanent', '550'],
    [{ responseCode: 554, response: '554 Transaction failed', code: 'EMESSAGE' }, 'permanent', '554'],
    [{ responseCode: 503, response: '503 Bad sequence of commands', code: 'EPROTOCOL' }, 'transient', '503'],
    [{ code: 'EENVELOPE', rejectedErrors: [{ responseCode: 553, response: '553 Mailbox name not allowed' }] }, 'permanent', '553'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.5:587' }, 'transient', 'ECONNREFUSED'],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET', message: 'read ECONNRESET' }, 'transient', 'ECONNRESET'],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, 'transient', 'ETIMEDOUT'],
    [{ code: 'EDNS', originalCode: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND smtp.example' }, 'transient', 'ENOTFOUND'],
    [{ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, 'transient', 'ECONNECTION'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 Authentication failed', command: 'AUTH PLAIN' }, 'transient', '535'],
    [{ code: 'ETLS', message: 'certificate has expired' }, 'transient', 'ETLS'],
    [{ code: 'EENVELOPE', message: 'No recipients defined' }, 'permanent', 'EENVELOPE'],
    [{ message: 'something nobody anticipated' }, 'transient', undefined],
  ])('when nodemailer fails with %j, then the error is %s with code %s', (fields, errorClass, code) => {
    const err = classifySmtpError(nodemailerError(fields));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.errorClass).toBe(errorClass);
    expect(err.details.provider).toBe('smtp');
    expect(err.details.code).toBe(code);
  });

  it('when the server answer is long, then the answer kept for operators is trimmed to one line of at most 500 characters', () => {
    const err = classifySmtpError(nodemailerError({ responseCode: 550, response: `550 ${'x'.repeat(2000)}\r\n  more` }));
    expect(err.details.answer?.length).toBeLessThanOrEqual(500);
    expect(err.details.answer).not.toMatch(/[\r\n]/);
  });
});

describe('messageIdHeader', () => {
  it('when the id is a dot-atom, then it is used as is', () => {
    expect(messageIdHeader('m-0123abcd', 'danang.gov.vn')).toBe('<m-0123abcd@danang.gov.vn>');
    expect(messageIdHeader('evt.1.nv-an', 'danang.gov.vn')).toBe('<evt.1.nv-an@danang.gov.vn>');
  });

  it('when the id holds characters a Message-ID cannot, then they are mapped to ones gateway ids never use', () => {
    expect(messageIdHeader('evt-1:nv-an:email', 'd.vn')).toBe('<evt-1=nv-an=email@d.vn>');
    expect(messageIdHeader('.a..b.', 'd.vn')).toBe('<+a++b+@d.vn>');
    expect(messageIdHeader('a.b', 'd.vn')).not.toBe(messageIdHeader('a:b', 'd.vn'));
  });
});
