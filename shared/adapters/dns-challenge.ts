/**
 * Asks DNS for a domain's challenge TXT record, through `node:dns` (c-ares, UDP then TCP) and the
 * resolver DNS_SERVER names (`<ip>:<port>`), else the system's. Each lookup has its own resolver,
 * so a setting changed between requests (tests) is honoured and no query outlives its request.
 */
import { Resolver } from 'node:dns/promises';
import { config } from './config.js';

export type TxtAnswer =
  /** The record exists: its values, each one string (DNS splits long values into chunks). */
  | { kind: 'found'; values: string[] }
  /** The name does not exist (NXDOMAIN) or has no TXT record. */
  | { kind: 'none'; reason: 'no such name' | 'no TXT record' }
  /** No answer: timeout, refused, server failure. Nothing can be concluded; try again later. */
  | { kind: 'unavailable'; code: string };

const errorCode = (error: unknown): string => (error as { code?: string }).code ?? 'unknown';

export const lookupTxt = async (name: string): Promise<TxtAnswer> => {
  // tries: the first query and one retry; c-ares doubles the timeout for the retry.
  const resolver = new Resolver({ timeout: config.dnsTimeoutMs, tries: 2 });
  if (config.dnsServer) resolver.setServers([config.dnsServer]);
  try {
    const records = await resolver.resolveTxt(name);
    return { kind: 'found', values: records.map((chunks) => chunks.join('')) };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'no such name' };
    if (code === 'ENODATA') return { kind: 'none', reason: 'no TXT record' };
    return { kind: 'unavailable', code };
  } finally {
    resolver.cancel();
  }
};
