import { ANY_SOURCE, createKey, defaultSources, isKeySource, loadKeys, revokeKey, SCOPES, setKeyCallback, setKeySources, type Scope } from '@gateway/common';
import { parseCommandArgs, type Command } from '../command';
import { EXIT, UsageError } from '../errors';
import { formatTable } from '../table';

const USAGE = `Khóa API / API keys (only their SHA-256 is stored; running services reload the file within a second)

  npm run gateway -- keys create <name> --scopes <scope,scope> [--sources <source,source>]
                                                     prints the new key once
  npm run gateway -- keys sources <name> --sources <source,source>
                                                     sets the sources an existing key may send
  npm run gateway -- keys callback <name> --url <https://...> [--rotate-secret]
                                                     where statuses of the key's sources are posted;
                                                     prints the signing secret once (when new or rotated)
  npm run gateway -- keys callback <name> --remove   stops the callbacks of the key
  npm run gateway -- keys list
  npm run gateway -- keys revoke <name>

Options:
  --file <path>       the keys file (default: $GATEWAY_KEYS_FILE, else .gateway/keys.json)
  --sources <list>    the event "source"s the key may send (hệ thống gửi); the intake refuses any
                      other with 403. Default: the key's name (an admin key: ${ANY_SOURCE}, any source).
                      Keys sharing a source are one sender (e.g. a key and its replacement).
  --url <url>         https only; http only to a loopback address (127.0.0.1, ::1, localhost), for tests
Scopes: ${SCOPES.join(', ')} (admin implies all)

Example:
  npm run gateway -- keys create he-thong-hop --scopes events:write --sources vpthanhuy-lichhop`;

function parseScopes(value: string | undefined): Scope[] {
  if (!value) throw new UsageError('create needs --scopes, e.g. --scopes events:write');
  const scopes = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length || scopes.length === 0) throw new UsageError(`unknown scope(s): ${unknown.join(', ') || '(none given)'}; known: ${SCOPES.join(', ')}`);
  return scopes as Scope[];
}

function parseSources(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const sources = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = sources.filter((s) => !isKeySource(s));
  if (bad.length || sources.length === 0) throw new UsageError(`invalid source(s): ${bad.join(', ') || '(none given)'}; a source is lowercase letters, digits, ".", "_" or "-" (at most 64), or ${ANY_SOURCE} for any`);
  return sources;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function parseCallbackUrl(value: string | undefined): string {
  if (!value) throw new UsageError('callback needs --url, e.g. --url https://lichhop.example.gov.vn/gateway/callback (or --remove)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url is not a URL: ${value}`);
  }
  if (url.protocol === 'https:') return url.toString();
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url.toString();
  throw new UsageError(`--url must be https (http only to a loopback address); got ${value}`);
}

export const keysCommand: Command = {
  name: 'keys',
  summary: 'create, bind to sources, set callbacks, list or revoke API keys',
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { scopes: { type: 'string' }, sources: { type: 'string' }, file: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, 'rotate-secret': { type: 'boolean' }, remove: { type: 'boolean' } });
    const [action, positionalName, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
    const file = values.file ?? ctx.settings.keysFile;
    const name = positionalName ?? values.name;
    switch (action) {
      case 'create': {
        if (!name) throw new UsageError('create needs a name: keys create <name> --scopes <scopes>');
        const scopes = parseScopes(values.scopes);
        const sources = parseSources(values.sources) ?? defaultSources(name, scopes);
        const key = createKey(file, name, scopes, { sources });
        ctx.out(`Đã tạo khóa / created key "${name}" (${scopes.join(', ')}${sources ? `; sources ${sources.join(', ')}` : ''}) in ${file}.`);
        ctx.out('Khóa chỉ hiện một lần / shown only this once; store it in the sending system now:');
        ctx.out('');
        ctx.out(`  ${key}`);
        ctx.out('');
        return EXIT.ok;
      }
      case 'list': {
        const keys = loadKeys(file).keys;
        if (keys.length === 0) {
          ctx.out(`Chưa có khóa / no keys in ${file}.`);
          return EXIT.ok;
        }
        const rows = keys.map((k) => [k.name, k.scopes.join(','), k.sources?.join(',') ?? (k.scopes.includes('events:write') ? `${ANY_SOURCE} (not bound)` : '-'), k.revokedAt ? `revoked ${k.revokedAt}` : 'active', k.createdAt ?? '?', k.callback?.url ?? '-']);
        for (const line of formatTable(['name', 'scopes', 'sources', 'state', 'created', 'callback'], rows)) ctx.out(line);
        return EXIT.ok;
      }
      case 'sources': {
        if (!name) throw new UsageError('sources needs a name: keys sources <name> --sources <sources>');
        const sources = parseSources(values.sources);
        if (!sources) throw new UsageError('sources needs --sources, e.g. --sources vpthanhuy-lichhop');
        setKeySources(file, name, sources);
        ctx.out(`Đã cập nhật / "${name}" may now send sources ${sources.join(', ')}; running services apply it within a second.`);
        return EXIT.ok;
      }
      case 'callback': {
        if (!name) throw new UsageError('callback needs a name: keys callback <name> --url <https://...>');
        if (values.remove) {
          setKeyCallback(file, name, {});
          ctx.out(`Đã bỏ callback / "${name}" gets no more callbacks; running services apply it within a second.`);
          return EXIT.ok;
        }
        const url = parseCallbackUrl(values.url);
        const { secret } = setKeyCallback(file, name, { url, rotate: values['rotate-secret'] === true });
        ctx.out(`Đã đặt callback / statuses of "${name}" go to ${url}; running services apply it within a second.`);
        if (secret) {
          ctx.out('Khóa ký chỉ hiện một lần / signing secret, shown only this once; the receiver verifies X-Gateway-Signature with it:');
          ctx.out('');
          ctx.out(`  ${secret}`);
          ctx.out('');
        } else ctx.out('The signing secret is unchanged (--rotate-secret makes a new one).');
        return EXIT.ok;
      }
      case 'revoke': {
        if (!name) throw new UsageError('revoke needs a name: keys revoke <name>');
        revokeKey(file, name);
        ctx.out(`Đã thu hồi / revoked "${name}"; running services refuse it within a second.`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(action ? `unknown keys command "${action}"` : 'keys needs a command: create, sources, callback, list or revoke');
    }
  },
};
