import { describe, expect, it } from 'vitest';
import { apiScopes } from '../../shared/domain/scopes.js';
import { channelSchema, channels, isChannel } from '../../shared/domain/channels.js';
import { formatScopes, hasScope, isApiScope, parseScopes } from '../../shared/domain/scopes.js';

describe('hasScope', () => {
  it('grants a scope that is listed', () => {
    expect(hasScope(['links:write'], 'links:write')).toBe(true);
    expect(hasScope(['analytics:read', 'links:write'], 'analytics:read')).toBe(true);
  });

  it('refuses a scope that is not listed', () => {
    expect(hasScope(['links:write'], 'analytics:read')).toBe(false);
    expect(hasScope([], 'links:write')).toBe(false);
    expect(hasScope(['links:write'], 'admin')).toBe(false);
  });

  it('lets admin imply every scope', () => {
    for (const scope of apiScopes) expect(hasScope(['admin'], scope)).toBe(true);
  });

  it('does not match by prefix or case', () => {
    expect(hasScope(['links'], 'links:write')).toBe(false);
    expect(hasScope(['LINKS:WRITE'], 'links:write')).toBe(false);
    expect(hasScope(['Admin'], 'links:write')).toBe(false);
  });
});

describe('parseScopes', () => {
  it('parses comma- or space-separated scopes into canonical order without duplicates', () => {
    expect(parseScopes('links:write,campaigns:write')).toEqual(['campaigns:write', 'links:write']);
    expect(parseScopes(' analytics:read ,  links:write analytics:read')).toEqual(['links:write', 'analytics:read']);
  });

  it('drops unknown words', () => {
    expect(parseScopes('links:write,root,*,links:*')).toEqual(['links:write']);
  });

  it('parses nothing from empty input', () => {
    expect(parseScopes('')).toEqual([]);
    expect(parseScopes(undefined)).toEqual([]);
    expect(parseScopes(' , ')).toEqual([]);
  });

  it('round-trips with formatScopes', () => {
    expect(formatScopes(['links:write', 'admin', 'nope', 'links:write'])).toBe('links:write,admin');
    expect(parseScopes(formatScopes([...apiScopes]))).toEqual([...apiScopes]);
  });

  it('recognises known scopes only', () => {
    expect(isApiScope('analytics:read')).toBe(true);
    expect(isApiScope('analytics:write')).toBe(false);
    expect(isApiScope(undefined)).toBe(false);
  });
});

describe('channels', () => {
  it('lists the spec channels', () => {
    expect([...channels]).toEqual(['linkedin', 'x', 'facebook', 'instagram', 'xing', 'email', 'whatsapp', 'slack', 'teams', 'sms', 'qr', 'other']);
  });

  it('validates with the zod enum and the type guard alike', () => {
    for (const channel of channels) {
      expect(channelSchema.safeParse(channel).success).toBe(true);
      expect(isChannel(channel)).toBe(true);
    }
    for (const value of ['LinkedIn', 'twitter', '', 'other ', 7]) {
      expect(channelSchema.safeParse(value).success, String(value)).toBe(false);
      expect(isChannel(value), String(value)).toBe(false);
    }
  });
});
