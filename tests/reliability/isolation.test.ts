/**
 * Tenant isolation matrix, generated from infra/definitions.ts `routes` and the declared access
 * of each route (shared/contract/operations.ts): every authorised route × every kind of
 * credential, with the table recorder watching what each request read and wrote.
 *
 * - Missing, invalid, revoked, expired, wrongly issued, `alg: none` or algorithm-confusion
 *   credentials: 401 problem+json; nothing written; nothing read but the presented key's record.
 * - Another organization's admin key or advocate, and another advocate of the same organization:
 *   the answer for the victim's ids is the answer for ids that do not exist (a foreign id is
 *   "not found", 404 on a route that names a resource); the body shows none of the victim's data;
 *   no victim item is read beyond the id lookups that establish ownership; nothing is written.
 * - A key without the route's scope: 403; an advocate on a key-only route: 403.
 * - Controls: the owner's own credential succeeds with the same requests, so each attack above
 *   aimed at something real.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiScopes, type ApiScope } from '../../shared/domain/scopes.js';
import { routeKey, routes, type RouteDefinition } from '../../shared/contract/routes.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { entityKeys } from '../../shared/adapters/keys.js';
import { tableName } from '../../shared/config.js';
import { operations } from '../../shared/contract/operations.js';
import type { WireAnswer } from './support/gateway.js';
import { watchTables, type Recording } from './support/table-watch.js';
import {
  isOwnershipProbe,
  knownParameters,
  nonexistentTargets,
  ownedBy,
  parametersOf,
  requestFor,
  tenantFingerprint,
  type TargetedRequest,
  type Targets,
} from './support/targets.js';
import { badCredentialKinds, startWorld, type World } from './support/world.js';

let world: World;
let victimTargets: Targets;
let victimBefore: Awaited<ReturnType<typeof tenantFingerprint>>;

const authorisedRoutes = routes.filter((route) => route.auth === 'authorizer');
const publicRoutes = routes.filter((route) => route.auth !== 'authorizer');
const byKey = (list: RouteDefinition[]) => list.map((route) => [routeKey(route), route] as const);

beforeAll(async () => {
  world = await startWorld();
  victimTargets = {
    campaignId: world.victim.campaignId,
    advocateId: 'carol',
    slug: world.victim.carolSlug!,
    keyId: world.victim.spareKeyId,
    sourceId: world.victim.sourceId,
    file: 'style.css',
  };
  victimBefore = await tenantFingerprint(world.victim.orgId);
});

afterAll(async () => {
  await world?.stop();
});

const send = async (authorization: string | undefined, request: TargetedRequest) => {
  const headers: Array<[string, string]> = [['user-agent', 'isolation-matrix']];
  if (authorization) headers.push(['authorization', authorization]);
  if (request.body !== undefined) headers.push(['content-type', 'application/json']);
  const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  const { result, recording } = await watchTables(() => world.gateway.send({ method: request.method, target: request.target, headers, body }));
  return { answer: result, recording };
};

const expectProblem = (answer: WireAnswer, status: number) => {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(answer.body)).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
};

/** Items of the organization the request read that are not ownership lookups. */
const foreignReads = (recording: Recording, isForeign: (item: Record<string, unknown>) => boolean) =>
  recording.reads.flatMap((read) => read.items).filter((item) => isForeign(item) && !isOwnershipProbe(item));

const victimSecrets = () => [
  world.victim.orgId,
  world.victim.campaignId,
  world.victim.archivedCampaignId,
  world.victim.aliceSlug,
  world.victim.bobSlug,
  world.victim.carolSlug!,
  world.victim.sourceId,
  world.victim.spareKeyId,
  'of Acme',
  'Acme launch',
  'www.acme.example',
];

const removeAttackerAdvocate = async (advocateId: string) => {
  await documentClient().send(
    new DeleteCommand({ TableName: tableName('entities'), Key: entityKeys.advocate(world.attacker.orgId, advocateId) }),
  );
};

const accessOf = (route: RouteDefinition) => operations[routeKey(route)]?.auth;

describe('the matrix covers every route', () => {
  it.each(byKey(authorisedRoutes))('%s declares its access (shared/contract/operations.ts)', (_key, route) => {
    expect(accessOf(route)?.kind).toBe('credential');
  });

  it.each(byKey(routes))('%s names only parameters the matrix can aim at', (_key, route) => {
    for (const name of parametersOf(route)) expect(knownParameters).toContain(name);
  });
});

describe('missing or invalid credentials: 401, nothing read or written', () => {
  const rows = authorisedRoutes.flatMap((route) => badCredentialKinds.map((kind) => [`${routeKey(route)} with ${kind}`, route, kind] as const));

  it.each(rows)('%s', async (_name, route, kind) => {
    const { answer, recording } = await send(world.badCredentials[kind], requestFor(route, victimTargets));
    expectProblem(answer, 401);
    expect(recording.writes).toEqual([]);
    // The authorizer may look up the presented key's own record; nothing else.
    expect(recording.reads.flatMap((r) => r.items).filter((item) => !String(item.pk).startsWith('APIKEY#'))).toEqual([]);
  });
});

describe('another organization: foreign ids are not found, nothing read or written', () => {
  const attackers = ['admin key of another organization', 'advocate of another organization'] as const;
  const rows = authorisedRoutes.flatMap((route) => attackers.map((who) => [`${routeKey(route)} by the ${who}`, route, who] as const));

  it.each(rows)('%s', async (_name, route, who) => {
    const credential = `Bearer ${who.startsWith('admin') ? world.attacker.adminKey : world.attacker.aliceToken}`;
    const foreign = await send(credential, requestFor(route, victimTargets));
    const control = await send(credential, requestFor(route, nonexistentTargets()));

    // Indistinguishable from ids that do not exist.
    expect(foreign.answer.status, foreign.answer.body).toBe(control.answer.status);
    if (who.startsWith('admin') && parametersOf(route).length > 0 && route.method !== 'PUT') expectProblem(foreign.answer, 404);
    if (foreign.answer.status >= 400) {
      expectProblem(foreign.answer, foreign.answer.status);
      expect(foreign.recording.writes).toEqual([]);
    }
    for (const secret of victimSecrets()) expect(foreign.answer.body).not.toContain(secret);
    expect(foreignReads(foreign.recording, (item) => ownedBy(item, world.victim.orgId))).toEqual([]);
    // A PUT made the attacker its own advocate under the victim's id: remove it, so later rows
    // still aim at an id only the victim has.
    if (route.method === 'PUT') await removeAttackerAdvocate(victimTargets.advocateId);
  });

  it('the recorder sees the ownership lookup (so "nothing read" above is not vacuous)', async () => {
    const { answer, recording } = await send(`Bearer ${world.attacker.adminKey}`, { method: 'GET', target: `/v1/links/${world.victim.carolSlug}` });
    expectProblem(answer, 404);
    const read = recording.reads.flatMap((r) => r.items);
    expect(read.some((item) => ownedBy(item, world.victim.orgId) && isOwnershipProbe(item))).toBe(true);
  });

  it('an advocate with the same id in another organization sees only its own organization', async () => {
    const token = `Bearer ${world.attacker.aliceToken}`;
    const self = await send(token, { method: 'GET', target: '/v1/advocates/alice' });
    expect(self.answer.status).toBe(200);
    expect(JSON.parse(self.answer.body).displayName).toBe('alice of Globex');
    const links = await send(token, { method: 'GET', target: '/v1/links' });
    expect(JSON.parse(links.answer.body).items.map((l: { slug: string }) => l.slug)).toEqual([world.attacker.aliceSlug]);
    const stats = await send(token, { method: 'GET', target: '/v1/advocates/alice/stats' });
    expect(stats.answer.status).toBe(200);
    for (const secret of victimSecrets()) expect(stats.answer.body + links.answer.body + self.answer.body).not.toContain(secret);
  });
});

describe("another advocate of the same organization: an advocate's own data stays its own", () => {
  it.each(byKey(authorisedRoutes))('%s by bob, aimed at alice', async (_key, route) => {
    const credential = `Bearer ${world.victim.bobToken}`;
    const aliceTargets = { ...victimTargets, advocateId: 'alice', slug: world.victim.aliceSlug };
    const fresh = nonexistentTargets();
    const foreign = await send(credential, requestFor(route, aliceTargets));
    const control = await send(credential, requestFor(route, { ...aliceTargets, advocateId: fresh.advocateId, slug: fresh.slug }));

    expect(foreign.answer.status, foreign.answer.body).toBe(control.answer.status);
    if (foreign.answer.status >= 400) {
      expectProblem(foreign.answer, foreign.answer.status);
      expect(foreign.recording.writes).toEqual([]);
    }
    expect(foreign.answer.body).not.toContain(world.victim.aliceSlug);
    expect(foreign.answer.body).not.toContain('alice of Acme');
    const isAlices = (item: Record<string, unknown>) => ownedBy(item, world.victim.orgId) && item.advocateId === 'alice';
    expect(foreignReads(foreign.recording, isAlices)).toEqual([]);
  });
});

describe('after every attack above', () => {
  it("the victim's items are exactly as they were", async () => {
    expect(await tenantFingerprint(world.victim.orgId)).toEqual(victimBefore);
  });
});

describe('scopes and advocate access, as each route declares them', () => {
  const keyWithout = new Map<string, string>();
  const keyWith = new Map<string, string>();
  const apiKeyFor = async (scopes: ApiScope[]) => {
    const { createApiKey } = await import('../../shared/adapters/entities.js');
    return `Bearer ${(await createApiKey(world.victim.orgId, scopes, 'scope probe')).apiKey}`;
  };

  beforeAll(async () => {
    for (const scope of apiScopes) {
      keyWith.set(scope, await apiKeyFor([scope]));
      keyWithout.set(scope, await apiKeyFor(apiScopes.filter((s) => s !== scope && s !== 'admin')));
    }
  });

  it.each(byKey(authorisedRoutes))('%s: a key without its scope is refused with 403, one with it is not', async (_key, route) => {
    const access = accessOf(route);
    if (access?.kind !== 'credential') throw new Error('undeclared access');
    const request = requestFor(route, victimTargets);
    if (access.apiKeyScope === 'any') {
      for (const scope of apiScopes) expect([401, 403], scope).not.toContain((await send(keyWith.get(scope), request)).answer.status);
      return;
    }
    const refused = await send(keyWithout.get(access.apiKeyScope), request);
    expectProblem(refused.answer, 403);
    expect(refused.recording.writes).toEqual([]);
    expect([401, 403]).not.toContain((await send(keyWith.get(access.apiKeyScope), request)).answer.status);
  });

  it.each(byKey(authorisedRoutes))('%s: advocates are refused with 403 unless the route admits them', async (_key, route) => {
    const access = accessOf(route);
    if (access?.kind !== 'credential') throw new Error('undeclared access');
    const ownTargets = { ...victimTargets, advocateId: 'alice', slug: world.victim.aliceSlug };
    const request = requestFor(route, ownTargets);
    if (request.body && typeof request.body === 'object' && 'advocateId' in request.body) delete (request.body as { advocateId?: string }).advocateId;
    const { answer, recording } = await send(`Bearer ${world.victim.aliceToken}`, request);
    if (access.advocate) expect([401, 403], answer.body).not.toContain(answer.status);
    else {
      expectProblem(answer, 403);
      expect(recording.writes).toEqual([]);
    }
  });
});

describe('controls: the owner succeeds with the very same requests', () => {
  it.each(byKey(authorisedRoutes))('%s with the victim admin key', async (_key, route) => {
    const { answer } = await send(`Bearer ${world.victim.adminKey}`, requestFor(route, victimTargets));
    expect(answer.status, answer.body).toBeGreaterThanOrEqual(200);
    expect(answer.status, answer.body).toBeLessThan(300);
  });
});

describe('public routes: a credential neither helps nor hurts', () => {
  it.each(byKey(publicRoutes))('%s', async (_key, route) => {
    const request = requestFor(route, { ...victimTargets, slug: world.victim.aliceSlug });
    const statuses = [];
    for (const credential of [undefined, `Bearer ${world.attacker.adminKey}`, `Bearer ${world.victim.adminKey}`, world.badCredentials.algNoneJwt]) {
      statuses.push((await send(credential, request)).answer.status);
    }
    expect(new Set(statuses).size, JSON.stringify(statuses)).toBe(1);
  });
});
