import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@gateway/tests/support/infra';
import { createLogger } from '../src/log';
import { hashKey, KeyRing, parseKeysFile } from '../src/keys';
import { createKey, loadKeys, setKeySources, watchKeyRing } from '../src/keys-file';

describe('API keys', () => {
  it('when a key is created, then the file holds only its SHA-256 and the key authenticates with its scopes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-keys-'));
    try {
      const file = join(dir, 'keys.json');
      const key = createKey(file, 'he-thong-hop', ['events:write']);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain(key);
      expect(text).toContain(hashKey(key));
      const parsed = parseKeysFile(JSON.parse(text));
      if (!parsed.ok) throw new Error(parsed.problems.join());
      const ring = new KeyRing(parsed.file);
      expect(ring.authenticate(key)?.scopes.has('events:write')).toBe(true);
      expect(ring.authenticate(`${key}x`)).toBeUndefined();
      expect(() => createKey(file, 'he-thong-hop', ['admin'])).toThrow(/already exists/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a key is revoked, then it no longer authenticates', () => {
    const ring = new KeyRing({ keys: [{ name: 'cu', sha256: hashKey('k1'), scopes: ['admin'], revokedAt: '2026-01-01T00:00:00Z' }] });
    expect(ring.authenticate('k1')).toBeUndefined();
  });

  it('when the keys file has an unknown scope or a plain key, then parsing names the field', () => {
    const parsed = parseKeysFile({ keys: [{ name: 'x', sha256: 'gw_plainkey', scopes: ['events:delete'] }] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems.join('\n')).toContain('keys.0.sha256');
      expect(parsed.problems.join('\n')).toContain('keys.0.scopes.0');
    }
  });
});

describe('API keys bound to their sources', () => {
  it('when keys are created without --sources, then a writer may send the source named like itself, an admin any, a reader has none; and a binding can be set later', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-keys-sources-'));
    try {
      const file = join(dir, 'keys.json');
      const writer = createKey(file, 'he-thong-hop', ['events:write']);
      const admin = createKey(file, 'quan-tri', ['admin']);
      createKey(file, 'bao-cao', ['notifications:read']);
      const bound = createKey(file, 'lich-hop', ['events:write'], { sources: ['vpthanhuy-lichhop', 'vpthanhuy-hop2'] });
      expect(loadKeys(file).keys.map((k) => [k.name, k.sources])).toEqual([['he-thong-hop', ['he-thong-hop']], ['quan-tri', ['*']], ['bao-cao', undefined], ['lich-hop', ['vpthanhuy-lichhop', 'vpthanhuy-hop2']]]);
      let ring = new KeyRing(loadKeys(file));
      expect([...(ring.authenticate(writer)?.sources ?? [])]).toEqual(['he-thong-hop']);
      expect(ring.authenticate(admin)?.sources).toBeUndefined();
      expect([...(ring.authenticate(bound)?.sources ?? [])]).toEqual(['vpthanhuy-lichhop', 'vpthanhuy-hop2']);
      expect(ring.unbound).toEqual([]);

      setKeySources(file, 'he-thong-hop', ['vpthanhuy-lichhop']);
      ring = new KeyRing(loadKeys(file));
      expect([...(ring.authenticate(writer)?.sources ?? [])]).toEqual(['vpthanhuy-lichhop']);
      expect(() => setKeySources(file, 'khong-co', ['x'])).toThrow(/no key named "khong-co"/);
      expect(() => setKeySources(file, 'he-thong-hop', ['Not A Source'])).toThrow(/keys\.0\.sources\.0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a keys file from before sources existed is read, then it still parses and its writers are listed as unbound', () => {
    const parsed = parseKeysFile({ keys: [{ name: 'cu', sha256: hashKey('k'), scopes: ['events:write'] }, { name: 'quan-tri', sha256: hashKey('a'), scopes: ['admin'] }] });
    if (!parsed.ok) throw new Error(parsed.problems.join());
    const ring = new KeyRing(parsed.file);
    expect(ring.authenticate('k')?.sources).toBeUndefined();
    expect(ring.unbound).toEqual(['cu']);
  });

  it('when a source in the file is not a source id, then parsing names the field', () => {
    const parsed = parseKeysFile({ keys: [{ name: 'x', sha256: hashKey('k'), scopes: ['events:write'], sources: ['He Thong'] }] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.join('\n')).toContain('keys.0.sources.0');
  });
});

describe('keys file watching', () => {
  it('when the keys file does not exist yet, then every key is refused until the CLI creates it, and then it works without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-keys-watch-'));
    const file = join(dir, 'keys.json');
    const ring = watchKeyRing(file, createLogger({ name: 't', level: 'silent' }), 50);
    try {
      expect(ring.current().size).toBe(0);
      const key = createKey(file, 'moi-tao', ['events:write']);
      await waitFor(() => ring.current().authenticate(key) !== undefined, { timeoutMs: 5000 });
    } finally {
      ring.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
