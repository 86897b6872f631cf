import { ANY_KEY, authorize, bearerKey, hasScope } from '../src/http';
import { generateKey, hashKey, KeyRing } from '../src/keys';

describe('bearer keys', () => {
  it('when the header is "Bearer <key>" in any case with extra spaces, then the key is read; otherwise there is none', () => {
    expect(bearerKey('Bearer gw_abc')).toBe('gw_abc');
    expect(bearerKey('bearer   gw_abc  ')).toBe('gw_abc');
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic gw_abc', 'Bearer gw_a gw_b', 'gw_abc']) expect([header, bearerKey(header)]).toEqual([header, undefined]);
  });

  it('when a principal holds a scope or admin, then it has that scope; otherwise not', () => {
    expect(hasScope({ name: 'xem', scopes: new Set(['notifications:read']) }, 'notifications:read')).toBe(true);
    expect(hasScope({ name: 'xem', scopes: new Set(['notifications:read']) }, 'notifications:resend')).toBe(false);
    expect(hasScope({ name: 'qt', scopes: new Set(['admin']) }, 'notifications:resend')).toBe(true);
  });

  it('when a key is missing, unknown, short of the scope or right, then authorize answers 401, 401, 403 or the principal', () => {
    const key = generateKey();
    const keys = new KeyRing({ keys: [{ name: 'van-thu', sha256: hashKey(key), scopes: ['notifications:read'] }] });
    expect(authorize(undefined, keys, 'notifications:read')).toMatchObject({ ok: false, status: 401, problem: { title: 'Authentication required' } });
    expect(authorize('Bearer gw_not-a-key', keys, 'notifications:read')).toMatchObject({ ok: false, status: 401, problem: { title: 'Unknown or revoked API key' } });
    expect(authorize(`Bearer ${key}`, keys, 'notifications:resend')).toMatchObject({ ok: false, status: 403, principal: { name: 'van-thu' } });
    expect(authorize(`Bearer ${key}`, keys, 'notifications:read')).toMatchObject({ ok: true, principal: { name: 'van-thu' } });
  });

  it('when any key will do, then any valid key passes and a missing or unknown one is still 401', () => {
    const key = generateKey();
    const keys = new KeyRing({ keys: [{ name: 'chi-gui', sha256: hashKey(key), scopes: ['events:write'] }] });
    expect(authorize(`Bearer ${key}`, keys, ANY_KEY)).toMatchObject({ ok: true, principal: { name: 'chi-gui' } });
    expect(authorize(undefined, keys, ANY_KEY)).toMatchObject({ ok: false, status: 401, wwwAuthenticate: 'Bearer realm="gateway"' });
    expect(authorize('Bearer gw_not-a-key', keys, ANY_KEY)).toMatchObject({ ok: false, status: 401, wwwAuthenticate: 'Bearer realm="gateway", error="invalid_token"' });
  });
});
