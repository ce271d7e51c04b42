/**
 * API key scopes (spec section 2). `admin` implies every other scope.
 * Scopes travel as a comma-separated string where only strings fit (authorizer context).
 */
export const apiScopes = [
  'campaigns:write',
  'advocates:write',
  'links:write',
  'analytics:read',
  'admin',
] as const;
export type ApiScope = (typeof apiScopes)[number];

const knownScopes: ReadonlySet<string> = new Set(apiScopes);

export const isApiScope = (value: unknown): value is ApiScope =>
  typeof value === 'string' && knownScopes.has(value);

export const hasScope = (granted: readonly string[], required: ApiScope): boolean =>
  granted.includes('admin') || granted.includes(required);

/**
 * Parses `"links:write, analytics:read"` into known scopes, in the canonical order of
 * `apiScopes`, without duplicates. Unknown words are dropped: an unrecognised scope must
 * grant nothing (fail closed), never fail the whole credential.
 */
export const parseScopes = (csv: string | null | undefined): ApiScope[] => {
  if (!csv) return [];
  const words = new Set(csv.split(/[\s,]+/));
  return apiScopes.filter((scope) => words.has(scope));
};

/** Inverse of `parseScopes`: canonical order, no duplicates, unknown values dropped. */
export const formatScopes = (scopes: readonly string[]): string =>
  apiScopes.filter((scope) => scopes.includes(scope)).join(',');
