/**
 * Runtime configuration, read once per container from the environment.
 * The CDK stack sets these on every function; the local runtime sets the same names.
 */
import { tableEnvVar, type TableId } from '../settings.js';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`Missing environment variable ${name}`);
};

/** Physical table name for a logical table id (set by CDK, or by the local runtime). */
export const tableName = (id: TableId): string => env(tableEnvVar(id));

export const config = {
  /** Host of short links; unset on AWS means "the host the request came to" (see publicBaseUrlFor). */
  get publicBaseUrl(): string | undefined {
    return process.env.PUBLIC_BASE_URL ? process.env.PUBLIC_BASE_URL.replace(/\/+$/, '') : undefined;
  },
  get jwtIssuer(): string | undefined {
    return process.env.JWT_ISSUER || undefined;
  },
  get jwtAudience(): string | undefined {
    return process.env.JWT_AUDIENCE || undefined;
  },
  get jwksUrl(): string | undefined {
    return process.env.JWKS_URL || undefined;
  },
  /** Claim holding the advocate id (spec: `sub`, configurable). */
  get jwtAdvocateClaim(): string {
    return env('JWT_ADVOCATE_CLAIM', 'sub');
  },
  /** Claim naming the organization. */
  get jwtOrgClaim(): string {
    return env('JWT_ORG_CLAIM', 'org');
  },
  /**
   * How long a redirect container may serve a cached link (and its campaign) before reading it
   * again: the longest a disabled link or archived campaign keeps being tracked. One minute keeps
   * the long tail of links cached between clicks (bench: scenario 1).
   */
  get linkCacheTtlMs(): number {
    return Number(env('LINK_CACHE_TTL_MS', '60000'));
  },
  /** `<ip>:<port>` of the DNS resolver domain verification asks; unset: the system's resolvers. */
  get dnsServer(): string | undefined {
    return process.env.DNS_SERVER || undefined;
  },
  /** How long one DNS query of a domain verification may take before it is retried once. */
  get dnsTimeoutMs(): number {
    return Number(env('DNS_TIMEOUT_MS', '1500'));
  },
};

let defaultHostFor: { url: string | undefined; hostname: string | undefined } | undefined;

/**
 * The hostname of the deployment's default short domain (PUBLIC_BASE_URL's), lower case, no
 * port; undefined when none is configured. Computed once per value: the redirect asks per click.
 */
export const defaultShortHostname = (): string | undefined => {
  const url = config.publicBaseUrl;
  if (!defaultHostFor || defaultHostFor.url !== url) {
    let hostname: string | undefined;
    try {
      hostname = url ? new URL(url).hostname.replace(/\.$/, '') || undefined : undefined;
    } catch {
      hostname = undefined;
    }
    defaultHostFor = { url, hostname };
  }
  return defaultHostFor.hostname;
};
