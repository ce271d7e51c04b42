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
 * - Every attack states the exact status it must get, and has a positive control: the very same
 *   request with the right credential must answer the route's exact documented success status,
 *   so an attack "refused" by a broken handler (a 500, a 404 for everyone) fails the control.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiScopes, type ApiScope } from '../../shared/domain/scopes.js';
import { routeKey, routes, type RouteDefinition } from '../../shared/contract/routes.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { entityKeys } from '../../shared/adapters/keys.js';
import { tableName } from '../../shared/adapters/config.js';
import { operations } from '../../shared/contract/operations.js';
import { newSlug } from '../../shared/domain/ids.js';
import type { WireAnswer } from './support/gateway.js';
import { signedHeaders, validBodies } from './support/route-knowledge.js';
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

/** The victim's allowed host (support/world.ts): deep links of the matrix's link requests go there. */
const VICTIM_HOST = 'www.acme.example';

beforeAll(async () => {
  world = await startWorld();
  victimTargets = {
    campaignId: world.victim.campaignId,
    advocateId: 'carol',
    slug: world.victim.carolSlug!,
    keyId: world.victim.spareKeyId,
    sourceId: world.victim.sourceId,
    file: 'style.css',
    hostname: world.victim.hostname,
    exportId: world.victimExportId,
    erasureId: world.victimErasureId,
    visitorId: world.victimVisitorId,
  };
  victimBefore = await tenantFingerprint(world.victim.orgId);
});

afterAll(async () => {
  await world?.stop();
});

/**
 * A control that deleted the victim's domain (as its owner may) puts it back, verified, so the
 * next request aimed at it finds it: every control of DELETE /v1/domains/{hostname} must succeed.
 */
const restoreVictimDomain = async (request: TargetedRequest, answer: WireAnswer) => {
  if (request.method !== 'DELETE' || request.target !== `/v1/domains/${world.victim.hostname}` || answer.status !== 200) return;
  const { addDomain, markVerified } = await import('../../shared/adapters/domains.js');
  await addDomain(world.victim.orgId, world.victim.hostname);
  await markVerified(world.victim.orgId, world.victim.hostname);
};

const send = async (authorization: string | undefined, request: TargetedRequest, extraHeaders: Array<[string, string]> = []) => {
  const headers: Array<[string, string]> = [['user-agent', 'isolation-matrix'], ...extraHeaders];
  if (authorization) headers.push(['authorization', authorization]);
  if (request.body !== undefined) headers.push(['content-type', 'application/json']);
  const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  const { result, recording } = await watchTables(() => world.gateway.send({ method: request.method, target: request.target, headers, body }));
  await restoreVictimDomain(request, result);
  return { answer: result, recording };
};

const expectProblem = (answer: WireAnswer, status: number) => {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(answer.body)).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
};

/** The exact status, and for a refusal the problem+json shape and that nothing was written. */
const expectAnswer = (sent: { answer: WireAnswer; recording: Recording }, status: number) => {
  expect(sent.answer.status, sent.answer.body.slice(0, 500)).toBe(status);
  if (status >= 400) {
    expectProblem(sent.answer, status);
    expect(sent.recording.writes).toEqual([]);
  }
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

/** The domain an attack's POST /v1/domains added to the attacker's own organization. */
const removeAddedDomain = async (request: TargetedRequest) => {
  const { hostname } = request.body as { hostname: string };
  await documentClient().send(new DeleteCommand({ TableName: tableName('entities'), Key: entityKeys.domain(hostname) }));
};

const accessOf = (route: RouteDefinition) => {
  const access = operations[routeKey(route)]?.auth;
  if (access?.kind !== 'credential') throw new Error(`${routeKey(route)}: undeclared access`);
  return access;
};

// ---------------------------------------------------------------------------------------------
// Exact expectations

/**
 * The success statuses (2xx/3xx) a route documents in shared/contract/operations.ts, but 304:
 * that answers only a conditional request (`If-None-Match`), and the matrix sends none.
 */
const documentedSuccesses = (route: RouteDefinition): number[] =>
  Object.keys(operations[routeKey(route)]?.responses ?? {})
    .map(Number)
    .filter((status) => status >= 200 && status < 400 && status !== 304);

/**
 * Where a route documents two successes, the matrix's request decides which: the advocate ids it
 * names exist (PUT replaces: 200), and every link request carries a fresh deep link (a new link:
 * 201, never "the existing link" 200).
 */
const successChosenByTheRequest: Record<string, number> = {
  'PUT /v1/advocates/{advocateId}': 200,
  'POST /v1/links': 201,
};

/** The exact success status of the matrix's request on a route, for a credential allowed to make it. */
const successOf = (route: RouteDefinition): number => {
  const key = routeKey(route);
  const documented = documentedSuccesses(route);
  const status = successChosenByTheRequest[key] ?? (documented.length === 1 ? documented[0] : undefined);
  if (status === undefined || !documented.includes(status)) {
    throw new Error(`${key} documents successes ${documented.join('/')}: say in successChosenByTheRequest which one the matrix's request gets`);
  }
  return status;
};

/** The matrix's request; a link request gets a fresh deep link on the victim's host (see above). */
const matrixRequest = (route: RouteDefinition, targets: Targets): TargetedRequest => {
  const request = requestFor(route, targets);
  if (routeKey(route) === 'POST /v1/links') {
    request.body = { ...(request.body as object), destinationUrl: `https://${VICTIM_HOST}/isolation/${newSlug(10)}` };
  }
  // Offboarding aims at dora, not at the advocates other rows use: an offboarded one would refuse the
  // PUT and link rows after it (409). Ids that do not exist stay as they are.
  if (routeKey(route) === 'DELETE /v1/advocates/{advocateId}' && ['alice', 'bob', 'carol'].includes(targets.advocateId)) request.target = '/v1/advocates/dora';
  return request;
};

/** The request names, in its path or body, a resource the handler must look up by id. */
const looksUpAResource = (route: RouteDefinition) =>
  (parametersOf(route).length > 0 && route.method !== 'PUT') || ['POST /v1/links', 'POST /v1/shares', 'POST /v1/exports'].includes(routeKey(route));

type Attacker = 'admin key of another organization' | 'advocate of another organization' | 'another advocate of the same organization';

/**
 * The exact answer an attack must get, from the route's declared access:
 * - another organization's admin key: 404 for every id it names (the victim's ids are not found);
 *   PUT creates its own advocate under that id (ids are per organization: 201); a request naming
 *   no id acts on its own organization (the route's success);
 * - an advocate: 403 on a key-only route or when it issues a link for another advocate; 404 for
 *   the ids of another organization, and, in its own organization, for another advocate's own
 *   data (advocate, links, stats) — campaigns it shares with every advocate of the organization.
 */
const expectedAttackStatus = (route: RouteDefinition, attacker: Attacker, request: TargetedRequest, self: string): number => {
  if (attacker === 'admin key of another organization') {
    if (route.method === 'PUT') return 201;
    return looksUpAResource(route) ? 404 : successOf(route);
  }
  if (!accessOf(route).advocate) return 403;
  const bodyAdvocate = (request.body as { advocateId?: string } | undefined)?.advocateId;
  if (bodyAdvocate !== undefined && bodyAdvocate !== self) return 403;
  const privateParameters = attacker === 'advocate of another organization' ? parametersOf(route) : parametersOf(route).filter((name) => name === 'advocateId' || name === 'slug');
  return privateParameters.length > 0 ? 404 : successOf(route);
};

// ---------------------------------------------------------------------------------------------
// Attacks and their controls

interface Attack {
  name: string;
  route: RouteDefinition;
  credential: () => string | undefined;
  targets: () => Targets;
  /** The exact status the attack must get. */
  expected: (request: TargetedRequest) => number;
  /** The right credential for the very same request: it must get the route's exact success. */
  control: () => string;
}

const victimAdmin = () => `Bearer ${world.victim.adminKey}`;

const badCredentialAttacks: Attack[] = authorisedRoutes.flatMap((route) =>
  badCredentialKinds.map((kind) => ({
    name: `${routeKey(route)} with ${kind}`,
    route,
    credential: () => world.badCredentials[kind],
    targets: () => victimTargets,
    expected: () => 401,
    control: victimAdmin,
  })),
);

const otherOrganizationAttacks: Attack[] = authorisedRoutes.flatMap((route) =>
  (['admin key of another organization', 'advocate of another organization'] as const).map((who) => ({
    name: `${routeKey(route)} by the ${who}`,
    route,
    credential: () => `Bearer ${who.startsWith('admin') ? world.attacker.adminKey : world.attacker.aliceToken}`,
    targets: () => victimTargets,
    expected: (request: TargetedRequest) => expectedAttackStatus(route, who, request, 'alice'),
    control: victimAdmin,
  })),
);

const aliceTargets = (): Targets => ({ ...victimTargets, advocateId: 'alice', slug: world.victim.aliceSlug });

const sameOrganizationAttacks: Attack[] = authorisedRoutes.map((route) => ({
  name: `${routeKey(route)} by bob, aimed at alice`,
  route,
  credential: () => `Bearer ${world.victim.bobToken}`,
  targets: aliceTargets,
  expected: (request: TargetedRequest) => expectedAttackStatus(route, 'another advocate of the same organization', request, 'bob'),
  // Alice herself where advocates are admitted; the organization's admin key elsewhere.
  control: () => (accessOf(route).advocate ? `Bearer ${world.victim.aliceToken}` : victimAdmin()),
}));

/** One request per attack, made once: the attack and its control send the very same one. */
const requests = new Map<string, TargetedRequest>();
const requestOf = (attack: Attack) => {
  let request = requests.get(attack.name);
  if (!request) {
    request = matrixRequest(attack.route, attack.targets());
    requests.set(attack.name, request);
  }
  return request;
};

const rows = (attacks: Attack[]) => attacks.map((attack) => [attack.name, attack] as const);

describe('the matrix covers every route', () => {
  it.each(byKey(authorisedRoutes))('%s declares its access (shared/contract/operations.ts) and one exact success', (_key, route) => {
    expect(accessOf(route).kind).toBe('credential');
    expect(documentedSuccesses(route)).toContain(successOf(route));
  });

  it.each(byKey(routes))('%s names only parameters the matrix can aim at', (_key, route) => {
    for (const name of parametersOf(route)) expect(knownParameters).toContain(name);
  });
});

describe('missing or invalid credentials: 401, nothing read or written', () => {
  it.each(rows(badCredentialAttacks))('%s', async (_name, attack) => {
    const sent = await send(attack.credential(), requestOf(attack));
    expectAnswer(sent, 401);
    // The authorizer may look up the presented key's own record; nothing else.
    expect(sent.recording.reads.flatMap((r) => r.items).filter((item) => !String(item.pk).startsWith('APIKEY#'))).toEqual([]);
  });
});

describe('another organization: foreign ids are not found, nothing read or written', () => {
  it.each(rows(otherOrganizationAttacks))('%s', async (_name, attack) => {
    const credential = attack.credential();
    const request = requestOf(attack);
    const foreign = await send(credential, request);
    const nonexistent = await send(credential, matrixRequest(attack.route, nonexistentTargets()));

    const expected = attack.expected(request);
    expectAnswer(foreign, expected);
    // Indistinguishable from ids that do not exist.
    expectAnswer(nonexistent, expected);
    for (const secret of victimSecrets()) expect(foreign.answer.body).not.toContain(secret);
    expect(foreignReads(foreign.recording, (item) => ownedBy(item, world.victim.orgId))).toEqual([]);
    // A PUT made the attacker its own advocate under the victim's id: remove it, so later rows
    // still aim at an id only the victim has.
    if (attack.route.method === 'PUT') await removeAttackerAdvocate(victimTargets.advocateId);
    // A domain it added is its own; the control adds the same hostname for the victim.
    if (routeKey(attack.route) === 'POST /v1/domains' && foreign.answer.status === 201) await removeAddedDomain(request);
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
    expect(links.answer.status).toBe(200);
    expect(JSON.parse(links.answer.body).items.map((l: { slug: string }) => l.slug)).toEqual([world.attacker.aliceSlug]);
    const stats = await send(token, { method: 'GET', target: '/v1/advocates/alice/stats' });
    expect(stats.answer.status).toBe(200);
    for (const secret of victimSecrets()) expect(stats.answer.body + links.answer.body + self.answer.body).not.toContain(secret);
  });
});

describe("another advocate of the same organization: an advocate's own data stays its own", () => {
  it.each(rows(sameOrganizationAttacks))('%s', async (_name, attack) => {
    const credential = attack.credential();
    const request = requestOf(attack);
    const fresh = nonexistentTargets();
    const foreign = await send(credential, request);
    const nonexistent = await send(credential, matrixRequest(attack.route, { ...attack.targets(), advocateId: fresh.advocateId, slug: fresh.slug }));

    const expected = attack.expected(request);
    expectAnswer(foreign, expected);
    expectAnswer(nonexistent, expected);
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

// Before the controls below rotate the webhook source's secret (twice retires the first one).
describe('public routes: a credential neither helps nor hurts', () => {
  /**
   * The matrix's request on a public route succeeds for anyone, except the conversion webhook:
   * it carries no signature, and a bearer credential is no substitute (401); and an export's
   * download, whose signed link is its credential (403 without it).
   */
  const expectedPublic = (route: RouteDefinition) => (route.function === 'conversions' ? 401 : route.function === 'exportDownload' ? 403 : successOf(route));

  it.each(byKey(publicRoutes))('%s', async (_key, route) => {
    const request = requestFor(route, { ...victimTargets, slug: world.victim.aliceSlug });
    for (const credential of [undefined, `Bearer ${world.attacker.adminKey}`, victimAdmin(), world.badCredentials.algNoneJwt]) {
      const { answer } = await send(credential, request);
      expect(answer.status, `${credential?.slice(0, 20)}: ${answer.body.slice(0, 300)}`).toBe(expectedPublic(route));
    }
  });

  it('control: the same webhook request, signed with the source secret and with a valid body, is accepted (202)', async () => {
    const route = publicRoutes.find((r) => r.function === 'conversions')!;
    const template = validBodies(world)[routeKey(route)]![0] as { data: Record<string, unknown> };
    const body = { ...template, data: { ...template.data, conversionId: `isolation-${newSlug(8)}` } };
    const bytes = Buffer.from(JSON.stringify(body));
    const request = { ...requestFor(route, victimTargets), body };
    const { answer } = await send(undefined, request, signedHeaders(world, bytes));
    expect(answer.status, answer.body).toBe(202);
  });
});

describe("export download links: the link is the credential, and only for its own organization's export", () => {
  const download = (exportId: string, query: string) => ({ method: 'GET', target: `/v1/exports/${exportId}/download?${query}` });

  it("control: the victim's signed link leads to the victim's export file (302)", async () => {
    const { answer } = await send(undefined, download(world.victimExportId, world.victimDownloadQuery));
    expect(answer.status, answer.body).toBe(302);
  });

  it("the victim's link aimed at the attacker's export, or naming the attacker's organization, is refused (403) and reads nothing", async () => {
    const aimed = await send(undefined, download(world.attackerExportId, world.victimDownloadQuery));
    expectProblem(aimed.answer, 403);
    const query = new URLSearchParams(world.victimDownloadQuery);
    query.set('org', world.attacker.orgId);
    const renamed = await send(`Bearer ${world.attacker.adminKey}`, download(world.victimExportId, query.toString()));
    expectProblem(renamed.answer, 403);
    expect([...aimed.recording.reads, ...renamed.recording.reads]).toEqual([]);
  });
});

// After the fingerprint: the controls change the victim's items, as the owner may.
describe('positive controls: the right credential gets the exact success with the request of every attack above', () => {
  it.each(rows([...badCredentialAttacks, ...otherOrganizationAttacks, ...sameOrganizationAttacks]))('%s', async (_name, attack) => {
    const control = await send(attack.control(), requestOf(attack));
    expectAnswer(control, successOf(attack.route));
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

  it.each(byKey(authorisedRoutes))('%s: a key without its scope gets 403, one with it the exact success', async (_key, route) => {
    const access = accessOf(route);
    const request = matrixRequest(route, victimTargets);
    if (access.apiKeyScope === 'any') {
      for (const scope of apiScopes) {
        const sent = await send(keyWith.get(scope), matrixRequest(route, victimTargets));
        expect(sent.answer.status, `${scope}: ${sent.answer.body.slice(0, 300)}`).toBe(successOf(route));
      }
      return;
    }
    expectAnswer(await send(keyWithout.get(access.apiKeyScope), request), 403);
    // Control: the same request with a key holding just that scope.
    expectAnswer(await send(keyWith.get(access.apiKeyScope), request), successOf(route));
  });

  it.each(byKey(authorisedRoutes))('%s: advocates get 403 unless the route admits them', async (_key, route) => {
    const request = matrixRequest(route, aliceTargets());
    // An advocate issues links for itself: its own request names no advocate.
    if (request.body && typeof request.body === 'object' && 'advocateId' in request.body) delete (request.body as { advocateId?: string }).advocateId;
    const sent = await send(`Bearer ${world.victim.aliceToken}`, request);
    if (accessOf(route).advocate) {
      expectAnswer(sent, successOf(route));
      return;
    }
    expectAnswer(sent, 403);
    // Control: the organization's admin key with the same request. A link request without an
    // advocate is not a key's request, but no key-only route takes one.
    expectAnswer(await send(victimAdmin(), request), successOf(route));
  });
});

// Last: it makes the victim's domain its primary for a moment and issues a link on it.
describe('the redirect resolves (host, slug): a slug answers only on the host it was issued on', () => {
  let domainSlug: string;

  const follow = (slug: string, headers: Array<[string, string]>) =>
    watchTables(() => world.gateway.send({ method: 'GET', target: `/${slug}`, headers: [['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0'], ...headers] }));

  beforeAll(async () => {
    const admin = world.victim.adminKey;
    expect((await world.call('PATCH', `/v1/domains/${world.victim.hostname}`, { token: admin, body: { primary: true } })).status).toBe(200);
    const link = await world.call('POST', '/v1/links', {
      token: admin,
      body: { campaignId: world.victim.campaignId, advocateId: 'carol', channel: 'email', destinationUrl: `https://${VICTIM_HOST}/on-domain` },
    });
    expect(link.json.shortUrl).toBe(`https://${world.victim.hostname}/${link.json.slug}`);
    domainSlug = link.json.slug;
    expect((await world.call('PATCH', `/v1/domains/${world.victim.hostname}`, { token: admin, body: { primary: false } })).status).toBe(200);
  });

  it("a victim's slug answers 404 on the attacker's domain, the default domain and unknown hosts, writing nothing", async () => {
    const refused: Array<[string, Array<[string, string]>]> = [
      [domainSlug, [['host', world.attacker.hostname]]],
      [domainSlug, [['host', 'go.advocacy.test']]],
      [domainSlug, [['host', 'unknown.example']]],
      [domainSlug, [['host', world.victim.hostname], ['x-forwarded-host', world.attacker.hostname]]],
      [domainSlug, [['host', world.attacker.hostname], ['x-forwarded-host', `${world.victim.hostname}, ${world.attacker.hostname}`]]],
      // Default-domain links of either tenant on the other's domain, and on their own.
      [world.victim.aliceSlug, [['host', world.attacker.hostname]]],
      [world.victim.aliceSlug, [['host', world.victim.hostname]]],
      [world.attacker.aliceSlug, [['host', world.victim.hostname]]],
    ];
    for (const [slug, headers] of refused) {
      const { result, recording } = await follow(slug, headers);
      expectProblem(result, 404);
      expect(recording.writes, JSON.stringify(headers)).toEqual([]);
      for (const secret of victimSecrets()) expect(result.body).not.toContain(secret);
    }
  });

  it('control: the same slugs answer 302 on the host they were issued on, and record the click', async () => {
    for (const headers of [[['host', world.victim.hostname]], [['host', 'go.advocacy.test'], ['x-forwarded-host', world.victim.hostname.toUpperCase()]]] as Array<Array<[string, string]>>) {
      const { result, recording } = await follow(domainSlug, headers);
      expect(result.status, result.body).toBe(302);
      expect(new URL(String(result.headers.location)).hostname).toBe(VICTIM_HOST);
      expect(recording.writes.length).toBeGreaterThan(0);
    }
    expect((await follow(world.victim.aliceSlug, [['host', 'go.advocacy.test']])).result.status).toBe(302);
    expect((await follow(world.attacker.aliceSlug, [])).result.status).toBe(302);
  });
});
