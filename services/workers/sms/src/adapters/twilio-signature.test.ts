import { twilioSignature, validateTwilioRequest } from './twilio-signature';

// The worked example of Twilio's request-validation documentation (also its libraries' test vector).
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('Twilio request signature', () => {
  it("when computed for Twilio's documented example, then it is Twilio's signature", () => {
    expect(twilioSignature(TOKEN, URL_, PARAMS)).toBe(SIGNATURE);
  });

  it('when the signature, a parameter, the URL or the token differ, then validation fails', () => {
    expect(validateTwilioRequest(TOKEN, SIGNATURE, URL_, PARAMS)).toBe(true);
    expect(validateTwilioRequest(TOKEN, SIGNATURE, URL_, { ...PARAMS, Digits: '9999' })).toBe(false);
    expect(validateTwilioRequest(TOKEN, SIGNATURE, `${URL_}&x=1`, PARAMS)).toBe(false);
    expect(validateTwilioRequest('54321', SIGNATURE, URL_, PARAMS)).toBe(false);
    expect(validateTwilioRequest(TOKEN, 'deadbeef=', URL_, PARAMS)).toBe(false);
    expect(validateTwilioRequest(TOKEN, undefined, URL_, PARAMS)).toBe(false);
    expect(validateTwilioRequest(TOKEN, '', URL_, PARAMS)).toBe(false);
  });

  it('when Twilio signed the URL with the default port written out, then it still validates (Twilio signs either form)', () => {
    const withPort = twilioSignature(TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS);
    expect(validateTwilioRequest(TOKEN, withPort, URL_, PARAMS)).toBe(true);
  });

  it('when parameters are repeated, then each distinct value is signed in sorted order', () => {
    const sig = twilioSignature(TOKEN, URL_, { Digits: ['5678', '1234', '1234'] });
    expect(sig).toBe(twilioSignature(TOKEN, URL_, { Digits: ['1234', '5678'] }));
  });
});
