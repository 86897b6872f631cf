import { hash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sourceSchema } from '@gateway/contracts';

export const SCOPES = ['events:write', 'notifications:read', 'notifications:resend', 'directory:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** In `sources`: the key may send events of any source (the admin CLI's default for admin keys). */
export const ANY_SOURCE = '*';

const keyRecordSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, dot, dash or underscore, at most 64'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the key'),
  scopes: z.array(z.enum(SCOPES)).min(1),
  /**
   * The event `source`s this key may send: the sender identity that every id derived from an
   * event is scoped by (docs/adr/0003-event-identity.md). Absent in files written before it
   * existed: such a key may send any source, as it always could.
   */
  sources: z.array(z.union([z.literal(ANY_SOURCE), sourceSchema])).min(1).optional(),
  /**
   * Where the gateway posts what happened to this key's notifications, and the HMAC secret it
   * signs them with. Unlike the key, the secret is stored as it is: signing needs it.
   */
  callback: z.object({ url: z.url({ protocol: /^https?$/ }).max(2048), secret: z.string().min(32).max(256), updatedAt: z.string().optional() }).optional(),
  createdAt: z.string().optional(),
  /** A revoked key stays in the file for the record but no longer authenticates. */
  revokedAt: z.string().optional(),
});
export type KeyRecord = z.infer<typeof keyRecordSchema>;

const keysFileSchema = z.object({ keys: z.array(keyRecordSchema) }).superRefine((file, ctx) => {
  const seen = new Set<string>();
  file.keys.forEach((k, i) => {
    if (seen.has(k.name)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'name'], message: `duplicate key name "${k.name}"` });
    seen.add(k.name);
  });
});
export type KeysFile = z.infer<typeof keysFileSchema>;

export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** 32 random bytes, prefixed so a leaked key is recognisable in a secret scanner. */
export function generateKey(): string {
  return `gw_${randomBytes(32).toString('base64url')}`;
}

export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
  /** The sources it may send; undefined: any source. */
  sources?: ReadonlySet<string>;
}

/** Whether the key may send an event of `source`. */
export function ownsSource(principal: Principal, source: string): boolean {
  return principal.sources === undefined || principal.sources.has(source);
}

/** A value `sources` may hold: a source id as events carry it, or ANY_SOURCE. */
export function isKeySource(value: string): boolean {
  return value === ANY_SOURCE || sourceSchema.safeParse(value).success;
}

function principalOf(k: KeyRecord): Principal {
  const principal: Principal = { name: k.name, scopes: new Set(k.scopes) };
  if (k.sources && !k.sources.includes(ANY_SOURCE)) principal.sources = new Set(k.sources);
  return principal;
}

/** An active key's callback: where its sources' statuses go, signed with its secret. */
export interface CallbackTarget {
  key: string;
  url: string;
  secret: string;
  /** The sources it owns; undefined: any source. */
  sources?: ReadonlySet<string>;
}

/** Looks keys up by hash; the keys themselves are never held. */
export class KeyRing {
  private readonly byHash: Map<string, Principal>;
  private readonly unboundNames: string[];
  private readonly callbackTargets: CallbackTarget[];

  constructor(file: KeysFile) {
    this.callbackTargets = file.keys.flatMap((k) => {
      if (k.revokedAt || !k.callback) return [];
      const { sources } = principalOf(k);
      return [{ key: k.name, url: k.callback.url, secret: k.callback.secret, ...(sources ? { sources } : {}) }];
    });
    this.unboundNames = file.keys.filter((k) => !k.revokedAt && !k.sources && k.scopes.includes('events:write') && !k.scopes.includes('admin')).map((k) => k.name);
    this.byHash = new Map(
      file.keys.filter((k) => !k.revokedAt).map((k) => [k.sha256, principalOf(k)]),
    );
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Active non-admin keys that write events with no `sources` binding (files from before it): they may send any source. */
  get unbound(): string[] {
    return this.unboundNames;
  }

  /** The callbacks of the active keys that own `source` (a source shared by two keys reaches both). */
  callbacksFor(source: string): CallbackTarget[] {
    return this.callbackTargets.filter((t) => t.sources === undefined || t.sources.has(source));
  }

  /** The callback of the active key named `name`. */
  callbackOf(name: string): CallbackTarget | undefined {
    return this.callbackTargets.find((t) => t.key === name);
  }

  /** Timing of a lookup by SHA-256 digest reveals nothing usable about the key itself. */
  authenticate(presented: string): Principal | undefined {
    return this.byHash.get(hashKey(presented));
  }
}

export function parseKeysFile(json: unknown): { ok: true; file: KeysFile } | { ok: false; problems: string[] } {
  const result = keysFileSchema.safeParse(json);
  if (result.success) return { ok: true, file: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`) };
}
