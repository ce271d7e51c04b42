/**
 * Hostnames of organizations' short domains (spec section 12): what `POST /v1/domains` accepts and
 * how it is stored, and the host a redirect request came to. Pure: no DNS, no I/O.
 *
 * A stored hostname is lower-case ASCII (IDN as punycode), without a trailing dot, a hostname of
 * at least two labels that a certificate can name: a short domain is somewhere people type and
 * print links, never an address, `localhost`, a wildcard, a port or a path.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export const MAX_HOSTNAME_LENGTH = 253;

/** The TXT record that proves control of a hostname: `_advocacy-challenge.<hostname>`. */
export const challengeRecordName = (hostname: string): string => `_advocacy-challenge.${hostname}`;

export type HostnameCheck = { ok: true; hostname: string } | { ok: false; reason: string };

const refuse = (reason: string): HostnameCheck => ({ ok: false, reason });

// C0 and C1 controls, DEL, and any whitespace.
const controlOrSpace = /[\u0000-\u0020\u007f-\u009f\s]/u;
const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Normalises and checks a hostname an organization wants to add. `reserved` are the deployment's
 * own hostnames (its default short domain, the API's domain), already normalised.
 */
export const normaliseHostname = (input: unknown, reserved: readonly string[] = []): HostnameCheck => {
  if (typeof input !== 'string' || input.length === 0) return refuse('hostname is required');
  // Far longer than any hostname, even in Unicode: not worth converting.
  if (input.length > 4 * MAX_HOSTNAME_LENGTH) return refuse(`hostname is longer than ${MAX_HOSTNAME_LENGTH} characters`);
  if (controlOrSpace.test(input)) return refuse('hostname contains whitespace or control characters');
  if (input.includes('*')) return refuse('wildcard hostnames are not supported; add each hostname');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) || /[/?#@\\]/.test(input)) return refuse('a bare hostname, without scheme, path, query or user');
  const unbracketed = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  if (isIP(unbracketed) !== 0) return refuse('IP addresses cannot be short domains');
  if (input.includes(':')) return refuse('a hostname, without a port');

  const withoutDot = input.endsWith('.') ? input.slice(0, -1) : input;
  const ascii = domainToASCII(withoutDot.toLowerCase());
  if (ascii === '') return refuse('hostname is not a valid domain name');
  // The URL standard reads `127.1`, `0x7f.1` and full-width digits as IPv4 addresses.
  if (isIP(ascii) !== 0) return refuse('IP addresses cannot be short domains');
  if (ascii.length > MAX_HOSTNAME_LENGTH) return refuse(`hostname is longer than ${MAX_HOSTNAME_LENGTH} characters`);
  const labels = ascii.split('.');
  if (labels.length < 2) return refuse('a hostname with at least two labels (go.example.com), not a single label');
  if (!labels.every((part) => label.test(part))) {
    return refuse('each label is 1–63 letters, digits or hyphens, not starting or ending with a hyphen');
  }
  if (/^[0-9]+$/.test(labels.at(-1)!)) return refuse('hostname is not a valid domain name');
  if (labels.at(-1) === 'localhost') return refuse('localhost cannot be a short domain');
  if (reserved.includes(ascii)) return refuse("this is the deployment's own domain");
  return { ok: true, hostname: ascii };
};

/**
 * The host a redirect request came to, from a `Host` or `X-Forwarded-Host` value: lower case,
 * without port or trailing dot. Anything that is not one plain hostname or address (a list, a
 * path, control characters, non-ASCII) is no host at all, so it matches no domain. Kept cheap:
 * it runs on every click.
 */
export const requestHostname = (value: string | undefined): string | undefined => {
  if (!value || value.length > MAX_HOSTNAME_LENGTH + 8) return undefined;
  let host = value.toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end === -1 || (end + 1 < host.length && !/^:\d{1,5}$/.test(host.slice(end + 1)))) return undefined;
    return /^\[[0-9a-f:.]+\]$/.test(host.slice(0, end + 1)) ? host.slice(0, end + 1) : undefined;
  }
  const colon = host.indexOf(':');
  if (colon !== -1) {
    if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return undefined;
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(host) && !host.includes('..') ? host : undefined;
};
