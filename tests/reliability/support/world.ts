/**
 * Two tenants with one of everything, for the attack suites: the victim organization (Acme)
 * and the attacker's (Globex), each with keys, advocates, campaigns, links and a webhook
 * source and two verified short domains, plus every kind of bad credential. Handlers run in this
 * process (support/gateway.ts) on fresh tables of the global DynamoDB Local; a tiny loopback
 * server serves the token issuer's JWKS, as the local runtime does, and a loopback DNS server
 * with no records answers domain verifications (NXDOMAIN: a 409, never a wait for real DNS).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importJWK, type JWK } from 'jose';
import { apiScopes, type ApiScope } from '../../../shared/domain/scopes.js';
import { loadOrCreateIssuer, type LocalIssuer } from '../../../infra/local/issuer.js';
import { startDnsServer } from '../../../infra/local/dns-server.js';
import { createIsolatedTables } from '../../support/tables.js';
import { createInProcessGateway, invokedFunction, type InProcessGateway, type WireAnswer } from './gateway.js';
import { createHandlerLoader, defaultLambdaEnvironment, invokeHandler, lambdaContext } from '../../../infra/local/lambda.js';
import { registerLocalAsyncInvoker } from '../../../shared/adapters/invoke-async.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../../shared/adapters/config.js';
import { documentClient } from '../../../shared/adapters/dynamo.js';
import { clickItem } from '../../../shared/adapters/redirect-store.js';
import { newClickId, newVisitorId } from '../../../shared/domain/ids.js';

export interface Tenant {
  orgId: string;
  adminKey: string;
  /** One key per single scope. */
  scopedKeys: Record<ApiScope, string>;
  campaignId: string;
  archivedCampaignId: string;
  /** alice's and bob's links in `campaignId`; both tenants have an alice and a bob. */
  aliceSlug: string;
  bobSlug: string;
  /** An advocate id only the victim has (undefined for the attacker), and carol's link. */
  carolSlug?: string;
  /** A key that exists only to be a target of DELETE /v1/api-keys/{keyId}. */
  spareKeyId: string;
  sourceId: string;
  sourceSecret: string;
  /** A second source, for tests that rotate secrets without disturbing `sourceId`'s. */
  spareSourceId: string;
  /** A source of each vendor kind, with the vendor secret it was created with (VENDOR_SECRETS). */
  vendorSourceIds: Record<'stripe' | 'shopify' | 'hubspot', string>;
  aliceToken: string;
  bobToken: string;
  /** A verified short domain (`go.<name>.example`), seeded without DNS. */
  hostname: string;
  /** A second verified domain, a target for DELETE /v1/domains/{hostname} that leaves `hostname` be. */
  spareHostname: string;
}

/** The secrets the vendors would issue, one per kind (both tenants use them: a source id decides). */
export const VENDOR_SECRETS = {
  stripe: 'whsec_fuzzStripeSecret0123456789',
  shopify: 'shpss_fuzzShopifySecret0123456789',
  hubspot: 'fuzz-hubspot-client-secret-0123',
} as const;

export interface World {
  /** The gateways answer once the asynchronous invocations a request started (export workers) have finished. */
  gateway: InProcessGateway;
  /** Gateway that reuses the authorizer's answer for accepted credentials (fuzzing speed). */
  cachedGateway: InProcessGateway;
  issuer: LocalIssuer;
  victim: Tenant;
  attacker: Tenant;
  /** A succeeded export of each tenant. */
  victimExportId: string;
  attackerExportId: string;
  /** The query of a valid download link of the victim's export. */
  victimDownloadQuery: string;
  /** A finished erasure of each tenant (of an identifier never seen). */
  victimErasureId: string;
  attackerErasureId: string;
  /** A browser (`eav`) with a click in the victim's organization: erasures aimed at it from elsewhere must not touch it. */
  victimVisitorId: string;
  badCredentials: Record<BadCredential, string | undefined>;
  /** Signs a token with the trusted key but any claims and header (issuer, audience, alg…). */
  craftToken(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  call(method: string, target: string, options?: { token?: string; body?: unknown }): Promise<WireAnswer & { json: any }>;
  stop(): Promise<void>;
}

export const badCredentialKinds = [
  'none',
  'revokedKey',
  'garbageKey',
  'expiredJwt',
  'wrongIssuerJwt',
  'wrongAudienceJwt',
  'algNoneJwt',
  'hs256ConfusionJwt',
  'foreignSignerJwt',
  'basicAuth',
] as const;
export type BadCredential = (typeof badCredentialKinds)[number];

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const serveJwks = async (jwks: object): Promise<Server> => {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

export const startWorld = async (): Promise<World> => {
  const scratch = await mkdtemp(join(tmpdir(), 'advocacy-world-'));
  const foreignScratch = await mkdtemp(join(tmpdir(), 'advocacy-world-foreign-'));
  await createIsolatedTables();
  const issuer = await loadOrCreateIssuer(scratch);
  const foreignIssuer = await loadOrCreateIssuer(foreignScratch);
  const jwksServer = await serveJwks(issuer.jwks);
  const dns = await startDnsServer();
  Object.assign(process.env, {
    DNS_SERVER: dns.address,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWKS_URL: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`,
    LOCAL_SECRETS_KEY: randomBytes(32).toString('base64'),
    PUBLIC_BASE_URL: 'https://go.advocacy.test',
    LINK_CACHE_TTL_MS: '0',
    ARCHIVE_DIR: join(scratch, 'archive'),
    EXPORTS_DIR: join(scratch, 'exports'),
    // No stream consumer or archiver runs here: an erasure worker would wait for them in vain.
    ERASURE_SETTLE_BUDGET_MS: '0',
  });

  // Asynchronous invocations (the export worker) run here as the local runtime runs them, as
  // their own function; a request's answer waits for those it started, so every request finds
  // the export slots as the previous ones left them.
  const loadHandler = createHandlerLoader();
  const background = new Set<Promise<unknown>>();
  registerLocalAsyncInvoker((target, payload) => {
    const run = invokedFunction
      .run(target, async () => invokeHandler(target, await loadHandler(target), payload, lambdaContext(target, defaultLambdaEnvironment()), false))
      .finally(() => background.delete(run));
    background.add(run);
  });
  const settled = (inner: InProcessGateway): InProcessGateway => ({
    async send(request) {
      const answer = await inner.send(request);
      while (background.size > 0) await Promise.allSettled([...background]);
      return answer;
    },
  });

  const privateJwk = JSON.parse(readFileSync(join(scratch, 'issuer-key.json'), 'utf8')) as JWK;
  const signingKey = await importJWK(privateJwk, 'ES256');
  const craftToken: World['craftToken'] = (claims, header = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT', ...header }).sign(signingKey);

  const gateway = settled(createInProcessGateway());
  const cachedGateway = settled(createInProcessGateway({ cacheAcceptedCredentials: true }));
  const call: World['call'] = async (method, target, options = {}) => {
    const headers: Array<[string, string]> = [['user-agent', 'reliability-suite']];
    if (options.token) headers.push(['authorization', `Bearer ${options.token}`]);
    if (options.body !== undefined) headers.push(['content-type', 'application/json']);
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const answer = await gateway.send({ method, target, headers, body });
    let json: any;
    try {
      json = JSON.parse(answer.body);
    } catch {
      json = undefined;
    }
    return { ...answer, json };
  };
  const expectStatus = async (promise: ReturnType<World['call']>, status: number) => {
    const answer = await promise;
    if (answer.status !== status) throw new Error(`seeding: expected ${status}, got ${answer.status}: ${answer.body}`);
    return answer.json;
  };

  const { createOrganization, createApiKey } = await import('../../../shared/adapters/entities.js');
  const { addDomain, markVerified } = await import('../../../shared/adapters/domains.js');
  const verifiedDomain = async (orgId: string, hostname: string) => {
    if ((await addDomain(orgId, hostname)).kind !== 'added' || !(await markVerified(orgId, hostname))) throw new Error(`seeding: domain ${hostname}`);
    return hostname;
  };
  const seedTenant = async (name: string, advocates: string[]): Promise<Tenant> => {
    const { orgId } = await createOrganization(name);
    const { apiKey: adminKey } = await createApiKey(orgId, [...apiScopes], 'admin');
    const scopedKeys = {} as Record<ApiScope, string>;
    for (const scope of apiScopes) scopedKeys[scope] = (await createApiKey(orgId, [scope], scope)).apiKey;
    const spare = await createApiKey(orgId, ['analytics:read'], 'spare');
    const token = adminKey;
    const campaign = await expectStatus(
      call('POST', '/v1/campaigns', { token, body: { name: `${name} launch`, destinationUrl: `https://www.${name.toLowerCase()}.example/jobs` } }),
      201,
    );
    const archived = await expectStatus(
      call('POST', '/v1/campaigns', { token, body: { name: `${name} old`, destinationUrl: `https://www.${name.toLowerCase()}.example/old` } }),
      201,
    );
    await expectStatus(call('PATCH', `/v1/campaigns/${archived.campaignId}`, { token, body: { status: 'archived' } }), 200);
    for (const advocateId of advocates) {
      await expectStatus(call('PUT', `/v1/advocates/${advocateId}`, { token, body: { displayName: `${advocateId} of ${name}`, department: 'sales' } }), 201);
    }
    const link = async (advocateId: string) =>
      (await expectStatus(call('POST', '/v1/links', { token, body: { campaignId: campaign.campaignId, advocateId, channel: 'linkedin' } }), 201)).slug as string;
    const source = await expectStatus(call('POST', '/v1/webhook-sources', { token, body: { name: `${name} shop` } }), 201);
    const spareSource = await expectStatus(call('POST', '/v1/webhook-sources', { token, body: { name: `${name} CRM` } }), 201);
    const vendorSource = async (kind: keyof typeof VENDOR_SECRETS) =>
      (await expectStatus(call('POST', '/v1/webhook-sources', { token, body: { name: `${name} ${kind}`, kind, signingSecret: VENDOR_SECRETS[kind] } }), 201)).sourceId as string;
    const vendorSourceIds = { stripe: await vendorSource('stripe'), shopify: await vendorSource('shopify'), hubspot: await vendorSource('hubspot') };
    return {
      orgId,
      adminKey,
      scopedKeys,
      campaignId: campaign.campaignId,
      archivedCampaignId: archived.campaignId,
      aliceSlug: await link('alice'),
      bobSlug: await link('bob'),
      ...(advocates.includes('carol') ? { carolSlug: await link('carol') } : {}),
      spareKeyId: spare.record.keyId,
      sourceId: source.sourceId,
      sourceSecret: source.secret,
      spareSourceId: spareSource.sourceId,
      vendorSourceIds,
      aliceToken: await issuer.sign({ orgId, advocateId: 'alice' }),
      bobToken: await issuer.sign({ orgId, advocateId: 'bob' }),
      hostname: await verifiedDomain(orgId, `go.${name.toLowerCase()}.example`),
      spareHostname: await verifiedDomain(orgId, `spare.${name.toLowerCase()}.example`),
    };
  };

  // dora: the advocate the suites offboard (DELETE /v1/advocates/{advocateId}), so alice, bob and carol keep their links.
  const victim = await seedTenant('Acme', ['alice', 'bob', 'carol', 'dora']);
  const attacker = await seedTenant('Globex', ['alice', 'bob']);
  const today = new Date().toISOString().slice(0, 10);
  const exportOf = async (tenant: Tenant) =>
    (await expectStatus(call('POST', '/v1/exports', { token: tenant.adminKey, body: { campaignId: tenant.campaignId, from: today, to: today, type: 'click', format: 'csv' } }), 202))
      .exportId as string;
  const victimExportId = await exportOf(victim);
  const attackerExportId = await exportOf(attacker);
  const { signDownload } = await import('../../../shared/adapters/download-links.js');
  // Valid for the whole suite (a day): the fuzzing of the download route needs a working link.
  const expires = Math.floor(Date.now() / 1000) + 86_400;
  const victimDownloadQuery = new URLSearchParams({ org: victim.orgId, expires: String(expires), signature: await signDownload(victim.orgId, victimExportId, expires) }).toString();

  const erasureOf = async (tenant: Tenant) =>
    (await expectStatus(call('POST', '/v1/privacy/erasures', { token: tenant.adminKey, body: { customerId: `nobody-${tenant.orgId}` } }), 202)).erasureId as string;
  const victimErasureId = await erasureOf(victim);
  const attackerErasureId = await erasureOf(attacker);
  // A click of the victim's, by a browser an attacker may name in an erasure request of its own.
  const victimVisitorId = newVisitorId();
  const clickId = `${newClickId()}${victimVisitorId}`;
  await documentClient().send(
    new PutCommand({
      TableName: tableName('events'),
      Item: clickItem({
        type: 'click', eventId: clickId, clickId, orgId: victim.orgId, campaignId: victim.campaignId, slug: victim.aliceSlug, advocateId: 'alice', channel: 'linkedin',
        at: new Date().toISOString(), visitorId: victimVisitorId, unique: true, botClass: 'human', device: 'desktop', browser: 'Chrome', os: 'Windows',
      }),
    }),
  );

  const revoked = await createApiKey(victim.orgId, [...apiScopes], 'revoked');
  await expectStatus(call('DELETE', `/v1/api-keys/${revoked.record.keyId}`, { token: victim.adminKey }), 200);
  const now = Math.floor(Date.now() / 1000);
  const victimClaims = { sub: 'alice', org: victim.orgId, iss: issuer.issuer, aud: issuer.audience, iat: now, exp: now + 600 };
  const publicJwk = issuer.jwks.keys[0];
  const badCredentials: Record<BadCredential, string | undefined> = {
    none: undefined,
    revokedKey: `Bearer ${revoked.apiKey}`,
    // Right shape, right key id, wrong secret.
    garbageKey: `Bearer ${victim.adminKey.slice(0, -4)}AAAA`,
    expiredJwt: `Bearer ${await craftToken({ ...victimClaims, iat: now - 7200, exp: now - 3600 })}`,
    wrongIssuerJwt: `Bearer ${await craftToken({ ...victimClaims, iss: 'https://evil.example' })}`,
    wrongAudienceJwt: `Bearer ${await craftToken({ ...victimClaims, aud: 'another-api' })}`,
    algNoneJwt: `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(victimClaims)}.`,
    // The trusted public key used as an HMAC secret: the classic algorithm-confusion forgery.
    hs256ConfusionJwt: `Bearer ${await new SignJWT(victimClaims)
      .setProtectedHeader({ alg: 'HS256', kid: privateJwk.kid })
      .sign(Buffer.from(JSON.stringify(publicJwk)))}`,
    foreignSignerJwt: `Bearer ${await foreignIssuer.sign({ orgId: victim.orgId, advocateId: 'alice' })}`,
    basicAuth: `Basic ${Buffer.from(`${victim.orgId}:${victim.adminKey}`).toString('base64')}`,
  };

  return {
    gateway,
    cachedGateway,
    issuer,
    victim,
    attacker,
    victimExportId,
    attackerExportId,
    victimDownloadQuery,
    victimErasureId,
    attackerErasureId,
    victimVisitorId,
    badCredentials,
    craftToken,
    call,
    async stop() {
      registerLocalAsyncInvoker(undefined);
      await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
      await dns.close();
      await rm(scratch, { recursive: true, force: true });
      await rm(foreignScratch, { recursive: true, force: true });
    },
  };
};
