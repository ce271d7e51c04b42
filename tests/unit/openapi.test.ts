/**
 * The OpenAPI document (GET /openapi.json): valid OpenAPI 3.1 by a maintained third-party
 * validator, one operation per defined route, generated from the schemas the handlers use, every
 * error shape and credential documented, and every example valid against its own schema. Also
 * checks the response checker the end-to-end tests rely on (tests/support/openapi-contract.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeKey, routes } from '../../shared/contract/routes.js';
import { buildOpenApiDocument } from '../../shared/contract/openapi.js';
import { operations } from '../../shared/contract/operations.js';
import { attributionQuerySchema, linkListQuerySchema } from '../../shared/contract/queries.js';
import { campaignCreateSchema, linkCreateSchema } from '../../shared/domain/resources.js';
import { conversionWebhookBodySchema } from '../../shared/domain/webhook-signature.js';
import { contractViolations, installContractCheck, schemaErrors } from '../support/openapi-contract.js';

const document = buildOpenApiDocument() as Record<string, any>;
const methods = ['get', 'head', 'post', 'put', 'patch', 'delete'];
const allOperations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => methods.includes(method))
    .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
);

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has exactly one operation per route of infra/definitions.ts', () => {
    expect(allOperations.map((o) => o.key).sort()).toEqual(routes.map(routeKey).sort());
    const ids = allOperations.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is generated from the very schemas the handlers validate with', () => {
    expect(operations['POST /v1/links']!.body!.schema).toBe(linkCreateSchema);
    expect(operations['POST /v1/campaigns']!.body!.schema).toBe(campaignCreateSchema);
    expect(operations['POST /v1/webhooks/conversions/{sourceId}']!.body!.schema).toBe(conversionWebhookBodySchema);
    expect(operations['GET /v1/links']!.query).toBe(linkListQuerySchema);
    expect(operations['GET /v1/campaigns/{campaignId}/attribution']!.query).toBe(attributionQuerySchema);
    // Strict write schemas stay strict in the document: unknown fields are refused.
    expect(document.components.schemas.LinkCreate.additionalProperties).toBe(false);
    expect(document.components.schemas.ConversionWebhook.properties.data.additionalProperties).toBe(false);
    const attribution = document.paths['/v1/campaigns/{campaignId}/attribution'].get;
    expect(attribution.parameters.map((p: { name: string }) => p.name)).toEqual(['campaignId', ...Object.keys(attributionQuerySchema.shape)]);
  });

  it('documents the credentials: API key scopes, advocate tokens, webhook signatures, public routes', () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['advocateToken', 'apiKey', 'webhookSignature']);
    for (const route of routes) {
      const operation = document.paths[route.path][route.method.toLowerCase()];
      if (route.auth === 'authorizer') {
        expect(operation.security.length, routeKey(route)).toBeGreaterThan(0);
        expect(operation.responses['401'].content['application/problem+json'], routeKey(route)).toBeDefined();
      } else {
        const expected = route.path.startsWith('/v1/webhooks/') ? [{ webhookSignature: [] }] : []; // vendors' receivers: the signature is a header parameter
        expect(operation.security, routeKey(route)).toEqual(expected);
      }
    }
    expect(document.paths['/v1/campaigns/{campaignId}/attribution'].get.security).toEqual([{ apiKey: ['analytics:read'] }]);
    expect(document.paths['/v1/links'].post.security).toEqual([{ apiKey: ['links:write'] }, { advocateToken: [] }]);
  });

  it('gives every error a documented shape: problem+json, or the gateway message', () => {
    const { Problem, DomainChallengeProblem } = document.components.schemas as Record<string, any>;
    expect(DomainChallengeProblem.required).toEqual(expect.arrayContaining(Problem.required));
    expect(DomainChallengeProblem.properties).toMatchObject(Problem.properties);
    for (const { key, operation } of allOperations) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        if (Number(status) < 400 || !response.content) continue;
        for (const [mediaType, media] of Object.entries(response.content as Record<string, any>)) {
          expect([
            'application/problem+json #/components/schemas/Problem',
            // A problem with extension members (RFC 9457 §3.2): what DNS answered instead.
            'application/problem+json #/components/schemas/DomainChallengeProblem',
            'application/json #/components/schemas/GatewayError',
          ], `${key} ${status}`).toContain(`${mediaType} ${media.schema.$ref}`);
        }
      }
      expect(Object.keys(operation.responses), key).toEqual(expect.arrayContaining(['429', '500']));
    }
  });

  it('has examples, and every example is valid against its schema', () => {
    let checked = 0;
    for (const { key, operation } of allOperations) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.example === undefined) continue;
        expect(schemaErrors(parameter.schema, parameter.example), `${key} ${parameter.name}`).toEqual([]);
        checked++;
      }
      const media = [
        ...Object.values(operation.requestBody?.content ?? {}),
        ...Object.values(operation.responses as Record<string, any>).flatMap((response) => Object.values(response.content ?? {})),
      ] as Array<{ schema: Record<string, unknown>; example?: unknown }>;
      for (const { schema, example } of media) {
        if (example === undefined) continue;
        expect(schemaErrors(schema, example), key).toEqual([]);
        checked++;
      }
      if (operation.requestBody) expect(operation.requestBody.content['application/json'].example, key).toBeDefined();
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('the response check of the end-to-end tests', () => {
  const observed = (overrides: Partial<Parameters<typeof contractViolations>[0]>) => ({
    method: 'GET',
    pathname: '/healthz',
    status: 200,
    contentType: 'application/json',
    body: '{"status":"ok"}',
    ...overrides,
  });

  it('accepts a conforming answer and names what is wrong with the others', () => {
    expect(contractViolations(observed({}))).toEqual([]);
    expect(contractViolations(observed({ body: '{"status":"fine"}' }))[0]).toMatch(/status must be equal to constant/);
    expect(contractViolations(observed({ status: 201 }))).toEqual(['status 201 is not documented']);
    expect(contractViolations(observed({ contentType: 'text/plain' }))[0]).toMatch(/content type text\/plain is not one of/);
    expect(contractViolations(observed({ pathname: '/v1/campaigns', body: '{"items":[{}],"nextCursor":null}' })).length).toBeGreaterThan(0);
    // Literal routes win over the redirect's catch-all, and a missing route is the gateway's 404.
    expect(contractViolations(observed({ pathname: '/dashboard', contentType: 'text/html', body: '<!doctype html>' }))).toEqual([]);
    expect(contractViolations(observed({ pathname: '/aB3dE5gH', status: 302, contentType: null, body: '' }))).toEqual([]);
    expect(contractViolations(observed({ pathname: '/no/such/route', status: 404, contentType: 'application/problem+json', body: '{}' }))).toEqual([]);
    expect(contractViolations(observed({ pathname: '/no/such/route' }))[0]).toMatch(/no documented operation/);
    const problem = { type: 'https://advocacy.example/problems/401', title: 'Unauthorized', status: 401, detail: 'x' };
    expect(contractViolations(observed({ pathname: '/v1/campaigns', status: 401, contentType: 'application/problem+json', body: JSON.stringify(problem) }))).toEqual([]);
    expect(contractViolations(observed({ pathname: '/v1/campaigns', status: 401, body: JSON.stringify(problem) }))[0]).toMatch(/content type/);
  });

  describe('installed on fetch', () => {
    let server: Server;
    let baseUrl: string;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(request.url === '/healthz' ? '{"status":"down"}' : '{"items":[],"nextCursor":null}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      installContractCheck(baseUrl);
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('rejects a fetch whose answer breaks the document, and passes the others through', async () => {
      await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow(/GET \/healthz → 200 does not match the OpenAPI document/);
      const page = await fetch(`${baseUrl}/v1/campaigns`);
      expect(await page.json()).toEqual({ items: [], nextCursor: null });
    });
  });
});
