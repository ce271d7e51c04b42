/**
 * The OpenAPI 3.1 document of GET /openapi.json, generated from the zod schemas the handlers
 * validate with (z.toJSONSchema, JSON Schema 2020-12: the dialect OpenAPI 3.1 uses) and from the
 * operation table in ./operations.ts. Paths come from infra/definitions.ts, so a route without an
 * operation (or the reverse) fails the build of the document rather than going undocumented.
 */
import * as z from 'zod';
import { routeKey, routes } from './routes.js';
import { channelSchema } from '../domain/channels.js';
import {
  advocatePutSchema,
  apiKeyCreateSchema,
  attributionModelSchema,
  campaignCreateSchema,
  campaignPatchSchema,
  linkCreateSchema,
  webhookSourceCreateSchema,
  domainCreateSchema,
  domainPatchSchema,
} from '../domain/resources.js';
import { conversionWebhookSchema, refundWebhookSchema } from '../domain/webhook-signature.js';
import { commonResponses, operations, type ContentSchema, type OperationSpec, type ResponseSpec } from './operations.js';
import { pathParameterSchemas } from './queries.js';

type Json = Record<string, unknown>;

const componentRef = (id: string) => `#/components/schemas/${id}`;

/**
 * Names for the request bodies and shared enums, added to zod's global registry (where the
 * response schemas' `.meta({ id })` already are) without touching the instances the handlers use.
 */
const requestComponents: Array<[z.ZodType, string]> = [
  [campaignCreateSchema, 'CampaignCreate'],
  [campaignPatchSchema, 'CampaignPatch'],
  [advocatePutSchema, 'AdvocatePut'],
  [linkCreateSchema, 'LinkCreate'],
  [apiKeyCreateSchema, 'ApiKeyCreate'],
  [webhookSourceCreateSchema, 'WebhookSourceCreate'],
  [domainCreateSchema, 'DomainCreate'],
  [domainPatchSchema, 'DomainPatch'],
  [conversionWebhookSchema, 'ConversionWebhook'],
  [refundWebhookSchema, 'RefundWebhook'],
];
const sharedComponents: Array<[z.ZodType, string]> = [
  [channelSchema, 'Channel'],
  [attributionModelSchema, 'AttributionModel'],
];

const registerComponents = () => {
  for (const [schema, id] of [...requestComponents, ...sharedComponents]) {
    z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
  }
};

const idOf = (schema: z.ZodType): string | undefined => z.globalRegistry.get(schema)?.id as string | undefined;

const strip = ({ $schema: _schema, $id: _id, ...rest }: Json): Json => rest;

/** Rewrites `#/$defs/X` (nested registered schemas of an inline conversion) to components. */
const pointDefsAtComponents = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(pointDefsAtComponents);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/')
        ? [key, componentRef(inner.slice('#/$defs/'.length))]
        : [key, pointDefsAtComponents(inner)],
    ),
  );
};

/** A schema that is not a component, converted in place. */
const inlineSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $defs: _defs, ...json } = strip(z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as Json);
  return pointDefsAtComponents(json) as Json;
};

const contentSchema = (schema: ContentSchema, io: 'input' | 'output'): Json => {
  if ('json' in schema && !(schema instanceof z.ZodType)) return schema.json;
  const id = idOf(schema);
  return id ? { $ref: componentRef(id) } : inlineSchema(schema, io);
};

const parameter = (name: string, where: 'path' | 'query' | 'header', schema: z.ZodType, required: boolean) => {
  const { description, examples, ...json } = inlineSchema(schema, 'input');
  return {
    name,
    in: where,
    required,
    ...(description ? { description } : {}),
    schema: json,
    ...(Array.isArray(examples) && examples.length > 0 ? { example: examples[0] } : {}),
  };
};

const parametersOf = (path: string, operation: OperationSpec) => {
  const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  const inPath = pathNames.map((name) => {
    const schema = pathParameterSchemas[name as keyof typeof pathParameterSchemas];
    if (!schema) throw new Error(`No schema for path parameter {${name}} of ${path}`);
    return parameter(name, 'path', schema, true);
  });
  const inQuery = Object.entries(operation.query?.shape ?? {}).map(([name, field]) =>
    parameter(name, 'query', field as z.ZodType, !(field as z.ZodType).safeParse(undefined).success),
  );
  const inHeaders =
    operation.auth.kind === 'webhookSignature'
      ? [
          parameter('webhook-id', 'header', z.string().min(1).meta({ description: 'Unique message id (replays are answered `duplicate`)' }), true),
          parameter('webhook-timestamp', 'header', z.string().regex(/^\d+$/).meta({ description: 'Unix seconds; at most 5 minutes from now' }), true),
        ]
      : operation.auth.kind === 'vendorSignature'
        ? [parameter(operation.auth.header, 'header', z.string().min(1).meta({ description: "The vendor's signature (see the description)" }), true)]
        : [];
  return [...inPath, ...inQuery, ...inHeaders];
};

const securityOf = (operation: OperationSpec) => {
  const { auth } = operation;
  if (auth.kind === 'public' || auth.kind === 'vendorSignature') return [];
  if (auth.kind === 'webhookSignature') return [{ webhookSignature: [] }];
  // OpenAPI 3.1 allows role names in any scheme's requirement: we list the API key scope.
  return [{ apiKey: auth.apiKeyScope === 'any' ? [] : [auth.apiKeyScope] }, ...(auth.advocate ? [{ advocateToken: [] }] : [])];
};

const accessNote = (operation: OperationSpec): string | undefined => {
  const { auth } = operation;
  if (auth.kind !== 'credential') return undefined;
  const key = auth.apiKeyScope === 'any' ? 'any API key of the organization' : `an API key with \`${auth.apiKeyScope}\` (or \`admin\`)`;
  return `Credential: ${key}${auth.advocate ? ', or an advocate token' : ''}.`;
};

const responseObject = (spec: ResponseSpec) => ({
  description: spec.description,
  ...(spec.headers ? { headers: spec.headers } : {}),
  ...(spec.content
    ? {
        content: Object.fromEntries(
          Object.entries(spec.content).map(([mediaType, media]) => [
            mediaType,
            { schema: contentSchema(media.schema, 'output'), ...(media.example === undefined ? {} : { example: media.example }) },
          ]),
        ),
      }
    : {}),
});

const operationObject = (path: string, operation: OperationSpec) => {
  const description = [operation.description, accessNote(operation)].filter(Boolean).join('\n\n');
  const responses = { ...commonResponses, ...operation.responses };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(description ? { description } : {}),
    tags: [operation.tag],
    security: securityOf(operation),
    parameters: parametersOf(path, operation),
    ...(operation.body
      ? {
          requestBody: {
            required: !operation.body.optional,
            ...(operation.body.description ? { description: operation.body.description } : {}),
            content: {
              'application/json': { schema: contentSchema(operation.body.schema, 'input'), example: operation.body.example },
            },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([status, spec]) => [status, responseObject(spec)]),
    ),
  };
};

/** Component names a JSON value refers to. */
const referencedComponents = (value: unknown, into = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) value.forEach((inner) => referencedComponents(inner, into));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/components/schemas/')) {
        into.add(inner.slice('#/components/schemas/'.length));
      } else referencedComponents(inner, into);
    }
  }
  return into;
};

/** The referenced components and what they refer to, request bodies as zod "input", the rest as "output". */
const componentSchemas = (paths: unknown): Record<string, Json> => {
  const uri = componentRef;
  const asOutput = z.toJSONSchema(z.globalRegistry, { uri, io: 'output' }).schemas as Record<string, Json>;
  const asInput = z.toJSONSchema(z.globalRegistry, { uri, io: 'input' }).schemas as Record<string, Json>;
  const requestIds = new Set(requestComponents.map(([, id]) => id));
  const wanted = referencedComponents(paths);
  const out: Record<string, Json> = {};
  const pending = [...wanted];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (out[id]) continue;
    const schema = (requestIds.has(id) ? asInput : asOutput)[id];
    if (!schema) throw new Error(`Component ${id} is referenced but not registered`);
    out[id] = strip(schema);
    for (const next of referencedComponents(out[id])) if (!out[next]) pending.push(next);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
};

export type OpenApiDocument = Json & { paths: Record<string, Record<string, Json>> };

const tagDescriptions: Record<OperationSpec['tag'], string> = {
  Health: 'Liveness',
  Organization: "The organization's privacy settings: visitor cookies, ranking default, retention (docs/privacy.md)",
  Campaigns: 'Campaigns: destinations, allowed hosts, UTM values and the default attribution model',
  Advocates: 'Employees who share links',
  Links: 'Personal tracked short links, their counts and QR codes',
  Domains: "The organization's own short domains, verified by a DNS TXT record",
  'API keys': 'Keys for integrations and dashboards (stored only as hashes)',
  Webhooks: 'Signed conversion intake and its sources',
  Integrations: 'What marketing tools connect without writing signing code: the landing-page snippet',
  Reports: 'Dashboards: attribution, leaderboard, advocate stats, raw events (read from roll-ups)',
  Exports: 'History exports: a campaign\'s hot and archived events as one CSV or Parquet file',
  Privacy: "Erasure of a visitor's or a customer's identifiers (spec 16)",
  Redirect: 'The public short links',
  'Web pages': 'The dashboard, the advocate page, this reference and its assets',
};

let cached: OpenApiDocument | undefined;

export const buildOpenApiDocument = (): OpenApiDocument => {
  if (cached) return cached;
  registerComponents();
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const key = routeKey(route);
    const operation = operations[key];
    if (!operation) throw new Error(`Route ${key} has no entry in shared/contract/operations.ts`);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationObject(route.path, operation);
  }
  const undefinedRoutes = Object.keys(operations).filter((key) => !routes.some((route) => routeKey(route) === key));
  if (undefinedRoutes.length > 0) throw new Error(`Operations without a route: ${undefinedRoutes.join(', ')}`);

  cached = {
    openapi: '3.1.1',
    info: {
      title: 'Advocacy tracking API',
      version: '1.0.0',
      summary: 'Tracked short links for employee advocacy, click and conversion tracking, multi-touch attribution',
      description:
        'Errors are `application/problem+json` (RFC 9457). Unknown JSON fields are refused on writes; bodies are limited to 64 KiB. Lists page with `limit` (at most 100) and an opaque `cursor`. Ids of another organization answer 404.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'The deployment serving this document' }],
    tags: Object.entries(tagDescriptions).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: componentSchemas(paths),
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'ak_<keyId>_<secret>',
          description:
            'API key with scopes `campaigns:write`, `advocates:write`, `links:write`, `analytics:read`, `admin` (admin implies all). A missing or invalid key is 401, a missing scope 403.',
        },
        advocateToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "An advocate's JWT from the company's identity provider: `sub` (configurable) is the advocate id, an `org` claim names the organization.",
        },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description: 'Standard Webhooks signature `v1,<base64 HMAC-SHA256>` with the source secret `whsec_…`, over `webhook-id.webhook-timestamp.body`.',
        },
      },
    },
  };
  return cached;
};
