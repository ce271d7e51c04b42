/**
 * DynamoDB's item size, computed the way its documentation defines it (attribute names count,
 * strings and binaries by their bytes, numbers by their significant digits, lists and maps with
 * their overhead), from the plain JavaScript values the document client writes. Capacity is
 * billed per started KB written and per started 4 KB read, so the size decides the units.
 */

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** "1 byte per two significant digits, plus 1 byte" (leading and trailing zeros do not count). */
const numberSize = (value: number | bigint): number => {
  const digits = String(value).replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
};

/** Size of one attribute value (without its name). */
export const valueSize = (value: unknown): number => {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueSize(element), 0);
  // Lists and maps: 3 bytes, and 1 byte per element on top of the element itself.
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [name, element]) => (element === undefined ? sum : sum + 1 + utf8(name) + valueSize(element)), 0);
  }
  return 0;
};

/** Size of an item: every attribute's name and value (undefined attributes are not written). */
export const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + utf8(name) + valueSize(value)), 0);

/** Write units of a standard write (1 per started KB); transactional writes cost twice that. */
export const writeUnits = (bytes: number, transactional = false): number => Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);

/** Read units of a read returning `bytes` (1 per started 4 KB, half for eventually consistent reads). */
export const readUnits = (bytes: number, consistent = false): number => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

interface KeyNames {
  partitionKey: { name: string };
  sortKey?: { name: string };
}

/**
 * The item an index stores for a table item: every attribute (`ALL`), the table's and the
 * index's key attributes (`KEYS_ONLY`), or those and the named ones (`INCLUDE`).
 */
export const projectedItem = (
  item: Record<string, unknown>,
  table: KeyNames,
  index: KeyNames & { projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; nonKeyAttributes?: readonly string[] },
): Record<string, unknown> => {
  if (index.projection === 'ALL') return item;
  const keys = [table.partitionKey, table.sortKey, index.partitionKey, index.sortKey].flatMap((key) => (key ? [key.name] : []));
  const names = index.projection === 'INCLUDE' ? [...keys, ...(index.nonKeyAttributes ?? [])] : keys;
  return Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
};
