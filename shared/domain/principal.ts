/**
 * Who is calling: set by the authorizer (shared/application/authenticate.ts) and read by the
 * routers (shared/contract/http.ts).
 */
import type { ApiScope } from './scopes.js';

export type Principal =
  | { kind: 'apiKey'; orgId: string; keyId: string; scopes: readonly ApiScope[] }
  | { kind: 'advocate'; orgId: string; advocateId: string };

/** The authorizer's context, flattened to strings as HTTP API simple responses carry it. */
export interface AuthorizerContext {
  /** `unavailable`: the credential could not be checked (database away); never grants access. */
  principal: 'apiKey' | 'advocate' | 'anonymous' | 'unavailable';
  orgId?: string;
  keyId?: string;
  scopes?: string;
  advocateId?: string;
  reason?: string;
}
