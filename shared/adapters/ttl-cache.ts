/**
 * A bounded per-container cache whose entries expire: the redirect's links and campaigns, webhook
 * sources, opened secrets. When full, the oldest entry makes room. Expired entries stay readable
 * through `stale` until they are replaced or pushed out (the redirect uses them while the
 * database is unreachable).
 */
export interface TtlCache<V> {
  /** The value if present and not expired (boxed: values may themselves be null). */
  get(key: string): { value: V } | undefined;
  /** The value however old, if still held. */
  stale(key: string): { value: V } | undefined;
  /** Remembers `value` for `ttlMs`; a ttl of 0 or less remembers nothing. */
  set(key: string, value: V, ttlMs: number): void;
  delete(key: string): void;
  clear(): void;
}

export const createTtlCache = <V>(maxEntries: number): TtlCache<V> => {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  const fresh = (key: string) => {
    const entry = entries.get(key);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  };
  return {
    get: fresh,
    stale: (key) => {
      const entry = entries.get(key);
      return entry ? { value: entry.value } : undefined;
    },
    set: (key, value, ttlMs) => {
      if (ttlMs <= 0) return;
      entries.delete(key);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    },
    delete: (key) => void entries.delete(key),
    clear: () => entries.clear(),
  };
};
