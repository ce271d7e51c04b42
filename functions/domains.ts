/**
 * Short domains (spec section 12), admin scope: POST/GET /v1/domains, POST
 * /v1/domains/{hostname}/verify (a DNS TXT lookup), PATCH and DELETE /v1/domains/{hostname}.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { defaultShortHostname } from '../shared/adapters/config.js';
import { lookupTxt } from '../shared/adapters/dns-challenge.js';
import {
  addDomain,
  deleteDomain,
  getDomain,
  listDomains,
  markVerified,
  presentDomain,
  primaryDomainOf,
  setPrimary,
  type DomainRecord,
} from '../shared/adapters/domains.js';
import { logger } from '../shared/adapters/observability.js';
import { challengeRecordName, normaliseHostname, requestHostname } from '../shared/domain/hostname.js';
import { domainCreateSchema, domainPatchSchema } from '../shared/domain/resources.js';
import { pageQuerySchema } from '../shared/contract/queries.js';
import { HttpError, decodeCursor, encodeCursor, json, pageLimit, parseJsonBody, parseQuery, pathParam, problem, serviceUnavailable, type HttpResult } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';

/** The deployment's own hostnames: its default short domain and the API's domain. */
const reservedHostnames = (event: APIGatewayProxyEventV2): string[] =>
  [defaultShortHostname(), requestHostname(event.requestContext.domainName)].filter((host): host is string => host !== undefined);

/** The path's hostname, spelled as the caller likes (case, IDN, trailing dot); anything else names no domain. */
const hostnameParam = (event: APIGatewayProxyEventV2): string => {
  const checked = normaliseHostname(pathParam(event, 'hostname'));
  if (!checked.ok) throw new HttpError(404, 'Domain not found');
  return checked.hostname;
};

const domainOf = async (orgId: string, hostname: string): Promise<DomainRecord> => {
  const domain = await getDomain(orgId, hostname);
  if (!domain) throw new HttpError(404, 'Domain not found');
  return domain;
};

/** At most this much of what DNS answered goes back in a 409: enough to see the mistake. */
const MAX_FOUND_VALUES = 10;
const MAX_FOUND_LENGTH = 255;

const challengeFailed = (domain: DomainRecord, found: string[], detail: string): HttpResult => {
  const answer = problem(409, detail);
  const body = JSON.parse(answer.body as string) as Record<string, unknown>;
  return {
    ...answer,
    body: JSON.stringify({
      ...body,
      expected: { type: 'TXT', name: challengeRecordName(domain.hostname), value: domain.token },
      found: found.slice(0, MAX_FOUND_VALUES).map((value) => value.slice(0, MAX_FOUND_LENGTH)),
    }),
  };
};

const router = createRouter('domains', {
  'POST /v1/domains': async (event, principal) => {
    const input = parseJsonBody(event, domainCreateSchema);
    const checked = normaliseHostname(input.hostname, reservedHostnames(event));
    if (!checked.ok) throw new HttpError(422, 'Invalid hostname', [{ field: 'hostname', message: checked.reason }]);
    const added = await addDomain(principal.orgId, checked.hostname);
    if (added.kind === 'yours') throw new HttpError(409, `${checked.hostname} is already one of your domains`);
    if (added.kind === 'taken') throw new HttpError(409, `${checked.hostname} is held by another organization`);
    return json(201, presentDomain(added.record, undefined));
  },

  'GET /v1/domains': async (event, principal) => {
    const query = parseQuery(event, pageQuerySchema);
    const [page, primary] = await Promise.all([
      listDomains(principal.orgId, pageLimit(query.limit), decodeCursor(query.cursor, principal.orgId)),
      primaryDomainOf(principal.orgId),
    ]);
    return json(200, { items: page.items.map((domain) => presentDomain(domain, primary)), nextCursor: encodeCursor(page.nextKey, principal.orgId) });
  },

  'POST /v1/domains/{hostname}/verify': async (event, principal) => {
    const domain = await domainOf(principal.orgId, hostnameParam(event));
    if (domain.status === 'verified') return json(200, presentDomain(domain, await primaryDomainOf(principal.orgId)));
    const name = challengeRecordName(domain.hostname);
    const answer = await lookupTxt(name);
    if (answer.kind === 'unavailable') {
      return serviceUnavailable(`DNS did not answer for ${name} (${answer.code}); nothing changed, retry later`);
    }
    if (answer.kind === 'none') return challengeFailed(domain, [], `DNS has no TXT record at ${name} (${answer.reason})`);
    if (!answer.values.includes(domain.token)) {
      return challengeFailed(domain, answer.values, `The TXT record at ${name} does not hold the token (found ${answer.values.length} other value(s))`);
    }
    const verified = await markVerified(principal.orgId, domain.hostname);
    // Deleted while DNS was asked.
    if (!verified) throw new HttpError(404, 'Domain not found');
    return json(200, presentDomain(verified, await primaryDomainOf(principal.orgId)));
  },

  'PATCH /v1/domains/{hostname}': async (event, principal) => {
    const hostname = hostnameParam(event);
    const input = parseJsonBody(event, domainPatchSchema);
    const change = await setPrimary(principal.orgId, hostname, input.primary);
    if (change === 'not-found') throw new HttpError(404, 'Domain not found');
    if (change === 'not-verified') throw new HttpError(409, 'Only a verified domain can be primary: verify it first');
    const domain = await domainOf(principal.orgId, hostname);
    return json(200, presentDomain(domain, await primaryDomainOf(principal.orgId)));
  },

  'DELETE /v1/domains/{hostname}': async (event, principal) => {
    const domain = await domainOf(principal.orgId, hostnameParam(event));
    const removal = await deleteDomain(principal.orgId, domain.hostname);
    if (removal === 'not-found') throw new HttpError(404, 'Domain not found');
    if (removal === 'primary') {
      throw new HttpError(409, 'This is the primary domain: make another domain primary, or PATCH it {"primary": false}, first');
    }
    return json(200, presentDomain(domain, undefined));
  },
});

export const handler = middy(router).use(injectLambdaContext(logger));
