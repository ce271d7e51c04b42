/**
 * The one record per route, by route key (`GET /v1/links/{slug}`): the function that serves it,
 * who may call it (the routers enforce it: shared/contract/http.ts), the query and body schemas its handler
 * validates with (the same instances), and every answer it can give. The route list of the CDK
 * stack and the local runtime (./routes.ts), the OpenAPI document (./openapi.ts) and the cdk-nag
 * reasons for public routes are all derived from it.
 */
import type { z } from 'zod';
import type { ApiScope } from '../domain/scopes.js';
import type { FunctionId } from './routes.js';
import { conversionWebhookBodySchema } from '../domain/webhook-signature.js';
import { organizationRules } from '../adapters/organization-rules.js';
import { erasureCreateSchema } from '../domain/erasure.js';
import { shareFloodCapPerMinute } from '../settings.js';
import { DOWNLOAD_LINK_SECONDS, MAX_EXPORTS_IN_FLIGHT, PRESIGNED_URL_SECONDS, exportCreateSchema } from '../domain/exports.js';
import {
  advocatePatchSchema,
  advocatePutSchema,
  advocateSchema,
  apiKeyCreateSchema,
  apiKeyCreatedSchema,
  apiKeySchema,
  campaignCreateSchema,
  campaignPatchSchema,
  campaignSchema,
  domainCreateSchema,
  domainPatchSchema,
  domainSchema,
  linkCreateSchema,
  linkSchema,
  linkWithStatsSchema,
  shareCreateSchema,
  webhookSourceCreateSchema,
  webhookSourceRotateSchema,
} from '../domain/resources.js';
import {
  advocateStatsQuerySchema,
  attributionQuerySchema,
  eventsQuerySchema,
  exportDownloadQuerySchema,
  leaderboardQuerySchema,
  linkListQuerySchema,
  pageQuerySchema,
  qrQuerySchema,
  unattributedQuerySchema,
} from './queries.js';
import {
  advocateStatsSchema,
  attributionReportSchema,
  campaignPageSchema,
  conversionAcceptedSchema,
  conversionDuplicateSchema,
  domainChallengeProblemSchema,
  domainPageSchema,
  vendorAnswerSchema,
  vendorEventBodySchema,
  eventPageSchema,
  erasureAcceptedSchema,
  erasureSchema,
  exportAcceptedSchema,
  exportSchema,
  gatewayErrorSchema,
  healthSchema,
  leaderboardSchema,
  linkPageSchema,
  problemSchema,
  shareAcceptedSchema,
  unattributedSchema,
  webhookSourceCreatedSchema,
  webhookSourceRotatedSchema,
} from './responses.js';

/** A zod schema, or a plain JSON Schema for bodies zod does not describe (HTML, images). */
export type ContentSchema = z.ZodType | { json: Record<string, unknown> };

export interface MediaSpec {
  schema: ContentSchema;
  example?: unknown;
}

export interface HeaderSpec {
  description: string;
  schema: Record<string, unknown>;
}

export interface ResponseSpec {
  description: string;
  headers?: Record<string, HeaderSpec>;
  content?: Record<string, MediaSpec>;
}

/**
 * Who may call a route. `public` and `webhookSignature` routes skip the authorizer: each says
 * why in `reason`, which the CDK stack turns into the cdk-nag APIG4 acknowledgement, so a new
 * public route cannot slip in unexplained.
 */
export type OperationAuth =
  | { kind: 'public'; reason: string }
  | { kind: 'webhookSignature'; reason: string }
  /** A vendor's own signature scheme (spec 13), in `header`; verified by the handler. */
  | { kind: 'vendorSignature'; reason: string; header: string }
  /** `apiKeyScope`: the scope a key needs (`any`: any key of the organization); `advocate`: advocate tokens too. */
  | { kind: 'credential'; apiKeyScope: ApiScope | 'any'; advocate: boolean };

export interface OperationSpec {
  /** The function (one Lambda) that serves the route. */
  function: FunctionId;
  operationId: string;
  summary: string;
  description?: string;
  tag: 'Health' | 'Organization' | 'Campaigns' | 'Advocates' | 'Links' | 'Domains' | 'API keys' | 'Webhooks' | 'Integrations' | 'Reports' | 'Exports' | 'Privacy' | 'Redirect' | 'Web pages';
  auth: OperationAuth;
  query?: z.ZodObject;
  /** `optional`: the request may have no body at all (the OpenAPI document says so). */
  body?: { schema: z.ZodType; example: unknown; description?: string; optional?: boolean };
  responses: Record<number, ResponseSpec>;
}

// ---------------------------------------------------------------------------------------------
// Answers shared by many operations

const problemContent = { 'application/problem+json': { schema: problemSchema } };

const problemDescriptions: Record<number, string> = {
  400: 'Malformed request: invalid JSON, no body, or invalid query parameters (listed in `errors`)',
  401: 'Missing, invalid, expired or revoked credential',
  403: 'The credential may not do this (missing scope, or an advocate on a key-only operation)',
  404: 'Not found. Ids of another organization are not found too.',
  409: 'Conflict with the current state',
  413: 'Request body over 64 KiB',
  415: 'Request body is not `application/json`',
  422: 'The body failed validation; the failing fields are in `errors`',
};

const problems = (...statuses: number[]): Record<number, ResponseSpec> =>
  Object.fromEntries(statuses.map((status) => [status, { description: problemDescriptions[status]!, content: problemContent }]));

/** Every route can meet these: API Gateway throttling and unexpected failures. */
const gatewayAnswers: Record<number, ResponseSpec> = {
  429: {
    description: 'Throttled by API Gateway',
    content: { 'application/json': { schema: gatewayErrorSchema, example: { message: 'Too Many Requests' } } },
  },
  500: {
    description: 'Unexpected error, from the handler (problem+json) or from API Gateway',
    content: { ...problemContent, 'application/json': { schema: gatewayErrorSchema } },
  },
  503: {
    description: 'The database is unreachable or throttled: nothing was done; retry after `Retry-After` seconds',
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    content: problemContent,
  },
};

const json = (schema: z.ZodType, description: string, example?: unknown): ResponseSpec => ({
  description,
  content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
});

const bodyProblems = problems(400, 401, 403, 413, 415, 422);

const examples = {
  campaign: {
    campaignId: 'cmp_01JD8Y3N5QK2W7X9ZB4C',
    name: 'Hiring 2027',
    destinationUrl: 'https://careers.acme.example/',
    allowedHosts: ['careers.acme.example'],
    utm: { medium: 'employee_advocacy', campaign: 'hiring-2027' },
    attribution: { model: 'last_click', lookbackDays: 30 },
    status: 'active',
    createdAt: '2026-11-02T09:00:00.000Z',
    updatedAt: '2026-11-02T09:00:00.000Z',
  },
  link: {
    slug: 'aB3dE5gH',
    shortUrl: 'https://go.acme.example/aB3dE5gH',
    campaignId: 'cmp_01JD8Y3N5QK2W7X9ZB4C',
    advocateId: 'alice',
    channel: 'linkedin',
    destinationUrl: 'https://careers.acme.example/',
    createdAt: '2026-11-02T09:05:00.000Z',
    disabled: false,
  },
  advocate: {
    advocateId: 'alice',
    displayName: 'Alice Martin',
    department: 'sales',
    createdAt: '2026-11-02T09:01:00.000Z',
    updatedAt: '2026-11-02T09:01:00.000Z',
  },
  domain: {
    hostname: 'go.acme.example',
    status: 'pending',
    verification: { type: 'TXT', name: '_advocacy-challenge.go.acme.example', value: 'advocacy-verify-3q2BvKxN0cVd7mZ1oPp9yT4wLs8aRe6u' },
    primary: false,
    createdAt: '2026-11-02T09:00:00.000Z',
  },
  organization: {
    visitorCookies: 'respect-gpc',
    rankingDefault: 'named',
    retention: { rawEventDays: 400, archiveDays: 400, logDays: 30 },
  },
  validationProblem: {
    type: 'https://advocacy.example/problems/422',
    title: 'Unprocessable Content',
    status: 422,
    detail: 'Request body failed validation',
    errors: [{ field: 'destinationUrl', message: 'host evil.example is not allowed' }],
  },
};

// ---------------------------------------------------------------------------------------------
// The operations, by route key

/** Why each kind of public route needs no credential (cdk-nag APIG4 acknowledgements). */
const Reasons = {
  shortLinks: 'short links are opened by anyone on the internet (SPEC 4).',
  health: 'an unauthenticated liveness probe that reads no data (SPEC 2).',
  webhook:
    'webhook senders authenticate with a Standard Webhooks HMAC signature that the handler verifies (SPEC 5); API Gateway cannot check it.',
  vendorWebhook:
    "vendors (Stripe, Shopify, HubSpot) sign their webhooks with their own HMAC schemes, verified by the handler with the vendor's secret (SPEC 13); API Gateway cannot check them.",
  apiDescription: 'the API description is published for integrators (SPEC 9); it contains no data.',
  pages: 'static pages and scripts with no data and no secret; the browser calls the authorised API with the credential the user pastes.',
  exportDownload:
    'an export download link is its own credential: an HMAC over the organization, the export and the expiry under a server-side key, verified by the handler (SPEC 14); API Gateway cannot check it.',
  snippet: 'the landing-page snippet is loaded by every visitor of a landing site (SPEC 13); it is a static script with no data.',
};

const campaignAccess = { kind: 'credential', apiKeyScope: 'any', advocate: true } as const;
const analyticsAccess = { kind: 'credential', apiKeyScope: 'analytics:read', advocate: false } as const;
const adminAccess = { kind: 'credential', apiKeyScope: 'admin', advocate: false } as const;

const page = (path: string): OperationSpec => ({
  function: 'pages',
  operationId: `page${path.slice(1, 2).toUpperCase()}${path.slice(2)}`,
  summary: `The ${path} web page`,
  description: {
    '/dashboard': 'Campaign dashboard. It reads the public report APIs with an `analytics:read` key the user pastes.',
    '/me': 'Advocate page: suggested posts filled with the advocate\'s own links and each network\'s share dialog, personal links per channel, QR codes, own stats and rank. Takes an advocate token (pasted, or `#token=` in the URL).',
    '/docs': 'This API reference, rendered from GET /openapi.json.',
  }[path],
  tag: 'Web pages',
  auth: { kind: 'public', reason: Reasons.pages },
  responses: {
    200: { description: 'The page', content: { 'text/html': { schema: { json: { type: 'string' } } } } },
    304: { description: 'Not modified (`If-None-Match` matched the `ETag`)' },
  },
});

/** A vendor's receiver (spec 13): the same answers as the Standard Webhooks route, plus `ignored`. */
const vendorReceiver = (spec: { operationId: string; summary: string; header: string; description: string; example: unknown }): OperationSpec => ({
  function: 'conversions',
  operationId: spec.operationId,
  summary: spec.summary,
  description: spec.description,
  tag: 'Integrations',
  auth: { kind: 'vendorSignature', reason: Reasons.vendorWebhook, header: spec.header },
  body: { schema: vendorEventBodySchema, example: spec.example },
  responses: {
    200: json(vendorAnswerSchema, 'Already received (`duplicate`), or an event type not used (`ignored`)', { status: 'ignored', eventType: 'customer.created' }),
    202: json(conversionAcceptedSchema, 'Recorded', { conversionId: 'pi_3QeXample', status: 'accepted' }),
    400: { description: 'The body is not JSON', content: problemContent },
    401: { description: "Unknown source (or another vendor's), missing or bad signature, or a timestamp outside the vendor's tolerance", content: problemContent },
    413: { description: problemDescriptions[413]!, content: problemContent },
    422: { description: 'A known event type without the fields it needs (listed), or a refund beyond the amount or in another currency', content: problemContent },
  },
});

export const operations: Record<string, OperationSpec> = {
  'GET /healthz': {
    function: 'health',
    operationId: 'health',
    summary: 'Liveness probe',
    tag: 'Health',
    auth: { kind: 'public', reason: Reasons.health },
    responses: { 200: json(healthSchema, 'The API answers', { status: 'ok' }) },
  },

  'GET /v1/organization': {
    function: 'organization',
    operationId: 'getOrganizationSettings',
    summary: "The organization's privacy settings",
    description:
      'Visitor cookies, the default ranking visibility of advocates and retention (spec section 16). Settings never changed read as their defaults: `respect-gpc`, `named`, the longest retention the deployment allows. See docs/privacy.md.',
    tag: 'Organization',
    auth: adminAccess,
    responses: { 200: json(organizationRules.settingsSchema, 'The settings', examples.organization), ...problems(401, 403, 404) },
  },
  'PATCH /v1/organization': {
    function: 'organization',
    operationId: 'updateOrganizationSettings',
    summary: "Change the organization's privacy settings",
    description:
      'Only the fields sent change. `visitorCookies` reaches the redirect within a minute (its per-container cache). `retention.rawEventDays` applies to conversions and refunds received from then on (their TTL is set at write); `retention.archiveDays` to archive files written from then on (their lifecycle tag). `retention.logDays` is the deployment\'s and cannot be set (422). Out-of-bounds values are refused with the bounds in `errors`.',
    tag: 'Organization',
    auth: adminAccess,
    body: { schema: organizationRules.patchSchema, example: { visitorCookies: 'never', retention: { rawEventDays: 180, archiveDays: 200 } }, description: 'At least one field' },
    responses: {
      200: json(organizationRules.settingsSchema, 'The changed settings'),
      ...bodyProblems,
      422: {
        description: problemDescriptions[422]!,
        content: {
          'application/problem+json': {
            schema: problemSchema,
            example: {
              type: 'https://advocacy.example/problems/422',
              title: 'Unprocessable Content',
              status: 422,
              detail: 'Request body failed validation',
              errors: [{ field: 'retention.archiveDays', message: "must be one of this deployment's archive retention classes: 100, 200, 300, 400 days" }],
            },
          },
        },
      },
      ...problems(404),
    },
  },

  'POST /v1/campaigns': {
    function: 'campaigns',
    operationId: 'createCampaign',
    summary: 'Create a campaign',
    description:
      'Defaults: `allowedHosts` the destination host, `utm.medium` `employee_advocacy`, `utm.campaign` a slug of the name, `attribution.model` `last_click`, `lookbackDays` 30, no `shareTemplates`. A suggested post with an unknown placeholder, without `{link}`, empty, with control characters, or longer than its channel allows once filled answers 422 naming the channel (and the length).',
    tag: 'Campaigns',
    auth: { kind: 'credential', apiKeyScope: 'campaigns:write', advocate: false },
    body: {
      schema: campaignCreateSchema,
      example: {
        name: 'Hiring 2027',
        destinationUrl: 'https://careers.acme.example/',
        attribution: { lookbackDays: 30 },
        shareTemplates: { linkedin: "We're hiring for {campaignName}. Apply through my link: {link}", x: 'Join my team at Acme: {link}' },
      },
    },
    responses: {
      201: {
        ...json(campaignSchema, 'Created', examples.campaign),
        headers: { Location: { description: 'The campaign', schema: { type: 'string' } } },
      },
      ...bodyProblems,
    },
  },
  'GET /v1/campaigns': {
    function: 'campaigns',
    operationId: 'listCampaigns',
    summary: 'List campaigns',
    description: 'API keys of the organization see every campaign; advocates see active ones only.',
    tag: 'Campaigns',
    auth: campaignAccess,
    query: pageQuerySchema,
    responses: { 200: json(campaignPageSchema, 'A page of campaigns'), ...problems(400, 401) },
  },
  'GET /v1/campaigns/{campaignId}': {
    function: 'campaigns',
    operationId: 'getCampaign',
    summary: 'Get a campaign',
    tag: 'Campaigns',
    auth: campaignAccess,
    responses: { 200: json(campaignSchema, 'The campaign', examples.campaign), ...problems(401, 404) },
  },
  'PATCH /v1/campaigns/{campaignId}': {
    function: 'campaigns',
    operationId: 'updateCampaign',
    summary: 'Change a campaign',
    description:
      'Archiving (`status: archived`) stops tracking: links keep redirecting and record nothing. `shareTemplates` replaces all suggested posts (`null` or `{}` removes them); a rename is checked against the posts kept, as `{campaignName}` changes with it.',
    tag: 'Campaigns',
    auth: { kind: 'credential', apiKeyScope: 'campaigns:write', advocate: false },
    body: { schema: campaignPatchSchema, example: { status: 'archived' }, description: 'At least one field' },
    responses: {
      200: json(campaignSchema, 'The changed campaign'),
      ...bodyProblems,
      ...problems(404, 409),
    },
  },

  'PUT /v1/advocates/{advocateId}': {
    function: 'advocates',
    operationId: 'putAdvocate',
    summary: 'Create or replace an advocate',
    tag: 'Advocates',
    auth: { kind: 'credential', apiKeyScope: 'advocates:write', advocate: false },
    body: { schema: advocatePutSchema, example: { displayName: 'Alice Martin', department: 'sales' } },
    responses: {
      200: json(advocateSchema, 'Replaced'),
      201: json(advocateSchema, 'Created', examples.advocate),
      409: { description: 'The advocate id was offboarded: it is not named again', content: problemContent },
      ...bodyProblems,
    },
  },
  'PATCH /v1/advocates/{advocateId}': {
    function: 'advocates',
    operationId: 'patchAdvocate',
    summary: "Choose how an advocate appears in others' rankings",
    description:
      "`named` (display name), `pseudonymous` (a stable pseudonym such as \"Advocate 7f3a9c\") or `hidden` (left out of lists others see); `null` returns to the organization's default (`rankingDefault`). The advocate's own choice wins over the default. An advocate token sets its own (another advocate's id: 404); an API key with `advocates:write` may set it for any advocate. An advocate always sees its own name and rank.",
    tag: 'Advocates',
    auth: { kind: 'credential', apiKeyScope: 'advocates:write', advocate: true },
    body: { schema: advocatePatchSchema, example: { rankingVisibility: 'pseudonymous' } },
    responses: {
      200: json(advocateSchema, 'The advocate', { ...examples.advocate, rankingVisibility: 'pseudonymous' }),
      ...bodyProblems,
      ...problems(404),
      409: { description: 'The advocate was offboarded', content: problemContent },
    },
  },

  'DELETE /v1/advocates/{advocateId}': {
    function: 'advocates',
    operationId: 'offboardAdvocate',
    summary: 'Offboard an advocate',
    description:
      "The advocate's name and department are erased; its links keep redirecting but record nothing (like disabled links, within the redirect's link cache, 60 s); its past counts stay in the roll-ups, shown under a stable pseudonym (or left out, if it chose `hidden`). Idempotent: the same answer again. The id cannot be given a name again (`PUT` answers 409).",
    tag: 'Advocates',
    auth: { kind: 'credential', apiKeyScope: 'advocates:write', advocate: false },
    responses: { 200: json(advocateSchema, 'The offboarded advocate'), ...problems(401, 403, 404) },
  },

  'GET /v1/advocates/{advocateId}': {
    function: 'advocates',
    operationId: 'getAdvocate',
    summary: 'Get an advocate',
    description: 'An advocate token reads only its own advocate.',
    tag: 'Advocates',
    auth: { kind: 'credential', apiKeyScope: 'any', advocate: true },
    responses: { 200: json(advocateSchema, 'The advocate', examples.advocate), ...problems(401, 404) },
  },

  'POST /v1/links': {
    function: 'links',
    operationId: 'issueLink',
    summary: 'Issue (or return) a tracked link',
    description:
      'An advocate token issues links for itself; an API key with `links:write` names the `advocateId`. The same campaign, advocate, channel and destination return the same link (200); a new link answers 201.',
    tag: 'Links',
    auth: { kind: 'credential', apiKeyScope: 'links:write', advocate: true },
    body: { schema: linkCreateSchema, example: { campaignId: 'cmp_01JD8Y3N5QK2W7X9ZB4C', channel: 'linkedin' } },
    responses: {
      200: json(linkSchema, 'The existing link'),
      201: json(linkSchema, 'A new link', examples.link),
      ...bodyProblems,
      422: {
        description: problemDescriptions[422]!,
        content: { 'application/problem+json': { schema: problemSchema, example: examples.validationProblem } },
      },
      ...problems(404, 409),
    },
  },
  'POST /v1/shares': {
    function: 'shares',
    operationId: 'recordShare',
    summary: 'Record that an advocate started a share',
    description: `An advocate token records its own share (\`advocateId\` absent or its own); an API key with \`links:write\` records on an advocate's behalf and names the \`advocateId\` (an existing advocate). The campaign must be an active one of the organization: an archived, unknown or another organization's campaign is 404 alike. Shares roll up like clicks (per advocate, campaign, channel, department and day) into \`shares\` of the reports, asynchronously. At most ${shareFloodCapPerMinute} shares per advocate and UTC minute are recorded: past that, 429 with \`Retry-After\` (the seconds left in the minute) and nothing is recorded.`,
    tag: 'Links',
    auth: { kind: 'credential', apiKeyScope: 'links:write', advocate: true },
    body: { schema: shareCreateSchema, example: { campaignId: 'cmp_01JD8Y3N5QK2W7X9ZB4C', channel: 'linkedin' } },
    responses: {
      202: json(shareAcceptedSchema, 'Recorded', {
        shareId: '01JD8Y3N5QK2W7X9ZB4C6D8F0H',
        campaignId: 'cmp_01JD8Y3N5QK2W7X9ZB4C',
        advocateId: 'alice',
        channel: 'linkedin',
        at: '2026-11-02T09:06:00.000Z',
        status: 'accepted',
      }),
      ...bodyProblems,
      ...problems(404),
      429: {
        description: `The advocate recorded ${shareFloodCapPerMinute} shares this minute already: nothing recorded (problem+json; API Gateway throttling answers \`{"message"}\`)`,
        headers: { 'Retry-After': { description: 'Seconds until the minute ends', schema: { type: 'integer' } } },
        content: { ...problemContent, 'application/json': { schema: gatewayErrorSchema } },
      },
    },
  },
  'GET /v1/links': {
    function: 'links',
    operationId: 'listLinks',
    summary: 'List links',
    description: 'API keys need `campaignId` or `advocateId`; advocates list their own links.',
    tag: 'Links',
    auth: { kind: 'credential', apiKeyScope: 'any', advocate: true },
    query: linkListQuerySchema,
    responses: { 200: json(linkPageSchema, 'A page of links'), ...problems(400, 401) },
  },
  'GET /v1/links/{slug}': {
    function: 'links',
    operationId: 'getLink',
    summary: 'Get a link with its click counts',
    description: 'Advocates see only their own links.',
    tag: 'Links',
    auth: { kind: 'credential', apiKeyScope: 'any', advocate: true },
    responses: { 200: json(linkWithStatsSchema, 'The link'), ...problems(401, 404) },
  },
  'GET /v1/links/{slug}/qr': {
    function: 'links',
    operationId: 'getLinkQrCode',
    summary: "QR code of a link's short URL",
    description: 'Same visibility as GET /v1/links/{slug}. The code encodes `shortUrl`.',
    tag: 'Links',
    auth: { kind: 'credential', apiKeyScope: 'any', advocate: true },
    query: qrQuerySchema,
    responses: {
      200: {
        description: 'The QR code',
        content: {
          'image/svg+xml': { schema: { json: { type: 'string' } } },
          'image/png': { schema: { json: { type: 'string', contentMediaType: 'image/png' } } },
        },
      },
      ...problems(400, 401, 404),
    },
  },
  'DELETE /v1/links/{slug}': {
    function: 'links',
    operationId: 'disableLink',
    summary: 'Disable a link',
    description: 'A disabled link keeps redirecting and records nothing.',
    tag: 'Links',
    auth: { kind: 'credential', apiKeyScope: 'links:write', advocate: true },
    responses: { 200: json(linkSchema, 'The disabled link'), ...problems(401, 403, 404) },
  },

  'POST /v1/domains': {
    function: 'domains',
    operationId: 'addDomain',
    summary: 'Add a short domain',
    description:
      'The hostname is normalised (lower case, IDN to punycode, no trailing dot). Refused (422): IP addresses, `localhost`, single labels, wildcards, ports, paths, control characters, over 253 characters, and the deployment\'s own domains. 409 when any organization (this one too) already holds it; an unverified claim lapses after 7 days. Create the TXT record it answers, then verify.',
    tag: 'Domains',
    auth: adminAccess,
    body: { schema: domainCreateSchema, example: { hostname: 'go.acme.example' } },
    responses: { 201: json(domainSchema, 'Added, pending verification', examples.domain), ...bodyProblems, ...problems(409) },
  },
  'GET /v1/domains': {
    function: 'domains',
    operationId: 'listDomains',
    summary: "The organization's short domains",
    tag: 'Domains',
    auth: adminAccess,
    query: pageQuerySchema,
    responses: { 200: json(domainPageSchema, 'A page of domains, by hostname'), ...problems(400, 401, 403) },
  },
  'POST /v1/domains/{hostname}/verify': {
    function: 'domains',
    operationId: 'verifyDomain',
    summary: "Verify a domain's DNS TXT record",
    description:
      'Asks DNS for `_advocacy-challenge.<hostname>` TXT; when one value is the token, the domain is `verified` (again: 200, unchanged). DNS that does not answer: 503 with `Retry-After`, nothing changed.',
    tag: 'Domains',
    auth: adminAccess,
    responses: {
      200: json(domainSchema, 'Verified'),
      ...problems(401, 403, 404),
      409: {
        description: 'The record is missing or holds other values: `found` lists what DNS answered',
        content: { 'application/problem+json': { schema: domainChallengeProblemSchema } },
      },
    },
  },
  'PATCH /v1/domains/{hostname}': {
    function: 'domains',
    operationId: 'updateDomain',
    summary: 'Make a domain the primary (or stop it being so)',
    description:
      'Links issued from now on use the primary verified domain in `shortUrl` and resolve on it; links issued before keep the domain they were issued on. Only a verified domain can be primary (409).',
    tag: 'Domains',
    auth: adminAccess,
    body: { schema: domainPatchSchema, example: { primary: true } },
    responses: { 200: json(domainSchema, 'The domain'), ...bodyProblems, ...problems(404, 409) },
  },
  'DELETE /v1/domains/{hostname}': {
    function: 'domains',
    operationId: 'deleteDomain',
    summary: 'Remove a domain',
    description:
      'The hostname is released. Links issued on it stop resolving (404): they are never moved to another domain. The primary domain cannot be removed (409): make another one primary, or PATCH it `primary: false`, first.',
    tag: 'Domains',
    auth: adminAccess,
    responses: { 200: json(domainSchema, 'The removed domain'), ...problems(401, 403, 404, 409) },
  },

  'POST /v1/api-keys': {
    function: 'apiKeys',
    operationId: 'createApiKey',
    summary: 'Create an API key',
    tag: 'API keys',
    auth: adminAccess,
    body: { schema: apiKeyCreateSchema, example: { name: 'Dashboard', scopes: ['analytics:read'] } },
    responses: { 201: json(apiKeyCreatedSchema, 'Created: the key is shown only now'), ...bodyProblems },
  },
  'DELETE /v1/api-keys/{keyId}': {
    function: 'apiKeys',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description: 'Takes effect at once (the authorizer does not cache).',
    tag: 'API keys',
    auth: adminAccess,
    responses: { 200: json(apiKeySchema, 'The revoked key'), ...problems(401, 403, 404) },
  },

  'POST /v1/webhook-sources': {
    function: 'webhookSources',
    operationId: 'createWebhookSource',
    summary: 'Create a conversion webhook source',
    tag: 'Webhooks',
    auth: adminAccess,
    description:
      '`kind` says who signs (spec 13): `standard` (default) signs per Standard Webhooks with a secret we generate and show once; `stripe`, `shopify` and `hubspot` need the vendor\'s `signingSecret`, stored sealed and never shown, and deliver to `/v1/integrations/{kind}/{sourceId}`.',
    body: { schema: webhookSourceCreateSchema, example: { name: 'Shop' } },
    responses: { 201: json(webhookSourceCreatedSchema, 'Created: a standard source\'s secret is shown only now'), ...bodyProblems },
  },
  'POST /v1/webhook-sources/{sourceId}/rotate': {
    function: 'webhookSources',
    operationId: 'rotateWebhookSecret',
    summary: "Rotate a source's signing secret",
    description:
      'The previous secret stays valid for 24 hours. A standard source gets a new generated secret (no body); a vendor source takes the vendor\'s new secret: `{"signingSecret": "…"}` (roll it at the vendor, then here).',
    tag: 'Webhooks',
    auth: adminAccess,
    body: { schema: webhookSourceRotateSchema, optional: true, example: { signingSecret: 'whsec_new_secret_from_stripe' } },
    responses: { 200: json(webhookSourceRotatedSchema, 'The new secret'), ...problems(401, 403, 404, 409, 422) },
  },
  'POST /v1/webhooks/conversions/{sourceId}': {
    function: 'conversions',
    operationId: 'receiveConversion',
    summary: 'Receive a signed conversion',
    description:
      'Signed per Standard Webhooks: `webhook-id`, `webhook-timestamp` (within 5 minutes) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, key = the base64 part of `whsec_…`; several signatures may be listed). The body is a conversion (`conversion.created`) or a refund of one (`conversion.refunded`: its `refundId` makes it once; partial refunds add up; more than the conversion\'s amount, or another currency, is 422).',
    tag: 'Webhooks',
    auth: { kind: 'webhookSignature', reason: Reasons.webhook },
    body: {
      schema: conversionWebhookBodySchema,
      example: {
        type: 'conversion.created',
        data: {
          conversionId: 'order-1042',
          kind: 'purchase',
          occurredAt: '2026-11-27T10:00:00Z',
          value: { amount: '129.90', currency: 'EUR' },
          clickId: '01JD8Y3N5QK2W7X9ZB4C6D8F0Habcdefghijklmnopqrstuv',
          customerId: 'crm-77',
        },
      },
    },
    responses: {
      200: json(conversionDuplicateSchema, 'Already received', { conversionId: 'order-1042', status: 'duplicate' }),
      202: json(conversionAcceptedSchema, 'Recorded', { conversionId: 'order-1042', status: 'accepted' }),
      400: { description: 'The body is not JSON', content: problemContent },
      401: { description: 'Unknown source, missing or bad signature, or a timestamp more than 5 minutes away', content: problemContent },
      413: { description: problemDescriptions[413]!, content: problemContent },
      422: { description: problemDescriptions[422]!, content: problemContent },
    },
  },

  'POST /v1/integrations/stripe/{sourceId}': vendorReceiver({
    operationId: 'receiveStripeEvent',
    summary: 'Receive a Stripe webhook event',
    header: 'Stripe-Signature',
    description:
      'Signed by Stripe (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 of `t.body` under the endpoint secret `whsec_…`, within 5 minutes). `checkout.session.completed` → purchase (conversionId: the PaymentIntent `pi_…`; click id: `client_reference_id` or `metadata.eaclid`; customer: `customer`); `charge.refunded` (each refund in `refunds.data`) and `refund.created` → refunds. Other types: `200 {"status":"ignored"}`. See docs/integrations.md.',
    example: { id: 'evt_1QeXample', type: 'checkout.session.completed', created: 1764237600, data: { object: { id: 'cs_test_a1', object: 'checkout.session', payment_intent: 'pi_3QeXample', client_reference_id: '01JD8Y3N5QK2W7X9ZB4C6D8F0H', customer: 'cus_R2d2', amount_total: 12990, currency: 'eur' } } },
  }),
  'POST /v1/integrations/shopify/{sourceId}': vendorReceiver({
    operationId: 'receiveShopifyEvent',
    summary: 'Receive a Shopify webhook',
    header: 'X-Shopify-Hmac-Sha256',
    description:
      'Signed by Shopify (`X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the body under the app secret); `X-Shopify-Topic` names the event, `X-Shopify-Webhook-Id` is the dedupe id. `orders/create` → purchase (conversionId: the order id; click id: `eaclid` of `landing_site`, else the `eaclid` note attribute); `refunds/create` → refund. Other topics: `200 {"status":"ignored"}`. See docs/integrations.md.',
    example: { id: 820982911946154500, created_at: '2026-11-27T11:00:00+01:00', currency: 'EUR', total_price: '129.90', landing_site: '/?eaclid=01JD8Y3N5QK2W7X9ZB4C6D8F0H', note_attributes: [], customer: { id: 115310627314723950 } },
  }),
  'POST /v1/integrations/hubspot/{sourceId}': vendorReceiver({
    operationId: 'receiveHubspotEvents',
    summary: 'Receive HubSpot webhook events',
    header: 'X-HubSpot-Signature-v3',
    description:
      'Signed by HubSpot, signature v3 (`X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of method + URI + body + `X-HubSpot-Request-Timestamp` under the app secret, within 5 minutes). A change of the contact property `eaclid` → lead (the contact is the customer); a deal moved to `closedwon` → purchase (no value or click: HubSpot events carry neither). Other events: `200 {"status":"ignored"}`. See docs/integrations.md.',
    example: [{ eventId: 1001, subscriptionId: 2001, portalId: 62515, appId: 3001, occurredAt: 1764237600000, subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: 123, propertyName: 'eaclid', propertyValue: '01JD8Y3N5QK2W7X9ZB4C6D8F0H', changeSource: 'FORM' }],
  }),

  'GET /v1/campaigns/{campaignId}/attribution': {
    function: 'analytics',
    operationId: 'getAttribution',
    summary: 'Attribution report of a campaign',
    description: 'Counts come from the roll-ups (eventually consistent), under any of the five models.',
    tag: 'Reports',
    auth: analyticsAccess,
    query: attributionQuerySchema,
    responses: { 200: json(attributionReportSchema, 'The report'), ...problems(400, 401, 403, 404) },
  },
  'GET /v1/campaigns/{campaignId}/leaderboard': {
    function: 'analytics',
    operationId: 'getLeaderboard',
    summary: 'Advocate leaderboard of a campaign',
    tag: 'Reports',
    auth: analyticsAccess,
    query: leaderboardQuerySchema,
    responses: { 200: json(leaderboardSchema, 'Advocates, best first'), ...problems(400, 401, 403, 404) },
  },
  'GET /v1/campaigns/{campaignId}/events': {
    function: 'analytics',
    operationId: 'listEvents',
    summary: 'Raw click or conversion events',
    description: 'JSON pages, or CSV with `Accept: text/csv` (at most 10 000 rows per answer; `X-Next-Cursor` names the next).',
    tag: 'Reports',
    auth: analyticsAccess,
    query: eventsQuerySchema,
    responses: {
      200: {
        description: 'A page of events',
        headers: { 'X-Next-Cursor': { description: 'CSV only: cursor of the next rows, when there are more', schema: { type: 'string' } } },
        content: {
          'application/json': { schema: eventPageSchema },
          'text/csv': { schema: { json: { type: 'string' } } },
        },
      },
      ...problems(400, 401, 403, 404),
    },
  },
  'GET /v1/advocates/{advocateId}/stats': {
    function: 'analytics',
    operationId: 'getAdvocateStats',
    summary: "An advocate's totals and rank per campaign",
    description: 'An advocate token reads only its own stats; API keys need `analytics:read`.',
    tag: 'Reports',
    auth: { kind: 'credential', apiKeyScope: 'analytics:read', advocate: true },
    query: advocateStatsQuerySchema,
    responses: { 200: json(advocateStatsSchema, 'The stats'), ...problems(400, 401, 403, 404) },
  },
  'GET /v1/conversions/unattributed': {
    function: 'analytics',
    operationId: 'countUnattributed',
    summary: 'Conversions of the organization that no click could be found for',
    tag: 'Reports',
    auth: analyticsAccess,
    query: unattributedQuerySchema,
    responses: { 200: json(unattributedSchema, 'The count'), ...problems(400, 401, 403) },
  },

  'POST /v1/exports': {
    function: 'exports',
    operationId: 'createExport',
    summary: "Export a campaign's events of a date range (hot and archived) as one file",
    description: `Runs in the background: poll GET /v1/exports/{exportId}. \`from\`/\`to\` are UTC days, inclusive, within the history kept (today − 400 days … today). Clicks: every click of the campaign, archived or not, once each, by time then click id. Conversions: the campaign's credited conversions (the bulk version of \`GET /v1/campaigns/{id}/events?type=conversion\`). The columns are the events API's CSV columns of the type. At most ${MAX_EXPORTS_IN_FLIGHT} exports of an organization queued or running at once (429 with \`Retry-After\`).`,
    tag: 'Exports',
    auth: analyticsAccess,
    body: { schema: exportCreateSchema, example: { campaignId: 'cmp_01JD8Y3N5QK2W7X9ZB4C', from: '2026-01-01', to: '2026-11-30', type: 'click', format: 'csv' } },
    responses: {
      202: {
        ...json(exportAcceptedSchema, 'Queued', { exportId: 'exp_4fK9sQ2mX7pL1vB8nR3c', status: 'queued' }),
        headers: { Location: { description: 'The export', schema: { type: 'string' } } },
      },
      ...bodyProblems,
      422: { description: 'The body failed validation, or the range is reversed, older than the history kept or in the future (the field is named)', content: problemContent },
      ...problems(404),
      429: {
        description: `${MAX_EXPORTS_IN_FLIGHT} exports of the organization are queued or running already (problem+json; API Gateway throttling answers \`{"message"}\`)`,
        headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
        content: { ...problemContent, 'application/json': { schema: gatewayErrorSchema } },
      },
    },
  },
  'GET /v1/exports/{exportId}': {
    function: 'exports',
    operationId: 'getExport',
    summary: 'An export: its status and, when done, a download link',
    description: `\`downloadUrl\` is signed and works for ${DOWNLOAD_LINK_SECONDS / 60} minutes (\`expiresAt\`); ask again for a fresh one. Exports are kept 7 days.`,
    tag: 'Exports',
    auth: analyticsAccess,
    responses: { 200: json(exportSchema, 'The export'), ...problems(401, 403, 404) },
  },
  'POST /v1/privacy/erasures': {
    function: 'privacyErasures',
    operationId: 'createErasure',
    summary: "Erase a visitor's or a customer's identifiers",
    description:
      "Exactly one of `visitorId` (the `eav` cookie) and `customerId` (a conversion's). Runs in the background: poll GET /v1/privacy/erasures/{erasureId}. Removes the identifiers from this organization's raw events, credit records, customer paths and history archive; counts and credited totals stay as they were. Another organization's data is never touched. The answer is the same whether or not the identifier was ever seen. Asking again for the same identifier while an erasure of it runs answers that erasure (and resumes it); after it is done, a new erasure.",
    tag: 'Privacy',
    auth: adminAccess,
    body: { schema: erasureCreateSchema, example: { visitorId: 'f3Kq9ZbT0xWmR2aLc8YpVg' } },
    responses: {
      202: {
        ...json(erasureAcceptedSchema, 'Recorded (or the unfinished erasure of the same identifier)', { erasureId: 'era_4fK9sQ2mX7pL1vB8nR3c', status: 'queued' }),
        headers: { Location: { description: 'The erasure', schema: { type: 'string' } } },
      },
      ...bodyProblems,
      422: { description: 'Not exactly one of the two fields, or an id of the wrong shape (the field is named)', content: problemContent },
    },
  },
  'GET /v1/privacy/erasures/{erasureId}': {
    function: 'privacyErasures',
    operationId: 'getErasure',
    summary: 'An erasure: queued, running or done, with its times',
    description: 'Erasure records are kept 30 days.',
    tag: 'Privacy',
    auth: adminAccess,
    responses: { 200: json(erasureSchema, 'The erasure'), ...problems(401, 403, 404) },
  },
  'GET /v1/exports/{exportId}/download': {
    function: 'exportDownload',
    operationId: 'downloadExport',
    summary: "An export's file, by the signed link GET /v1/exports/{exportId} gave",
    description: `A 302 to the file: on AWS a presigned S3 URL valid ${PRESIGNED_URL_SECONDS} s; locally a URL of the runtime, signed and valid as long, that streams the file. An expired link, or one whose signature does not match its organization, export and expiry, is refused with 403 (the link is the credential; ask GET /v1/exports/{exportId} for a new one).`,
    tag: 'Exports',
    auth: { kind: 'public', reason: Reasons.exportDownload },
    query: exportDownloadQuerySchema,
    responses: {
      302: { description: 'To the file', headers: { Location: { description: 'A presigned URL of the file, valid a minute', schema: { type: 'string' } } } },
      403: { description: 'The link expired, or its signature is not ours for this export and expiry', content: problemContent },
      404: { description: 'No such export, or it has no file (not finished, failed, or expired)', content: problemContent },
    },
  },

  'GET /openapi.json': {
    function: 'openapi',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    tag: 'Web pages',
    auth: { kind: 'public', reason: Reasons.apiDescription },
    responses: {
      200: {
        description: 'OpenAPI 3.1',
        content: { 'application/json': { schema: { json: { type: 'object', required: ['openapi', 'info', 'paths'] } } } },
      },
      304: { description: 'Not modified' },
    },
  },
  'GET /dashboard': page('/dashboard'),
  'GET /me': page('/me'),
  'GET /docs': page('/docs'),
  'GET /assets/{file}': {
    function: 'pages',
    operationId: 'getAsset',
    summary: 'A script, style sheet or image of the web pages',
    tag: 'Web pages',
    auth: { kind: 'public', reason: Reasons.pages },
    responses: {
      200: {
        description: 'The file',
        content: {
          'text/javascript': { schema: { json: { type: 'string' } } },
          'text/css': { schema: { json: { type: 'string' } } },
          'image/svg+xml': { schema: { json: { type: 'string' } } },
        },
      },
      304: { description: 'Not modified' },
      ...problems(404),
    },
  },

  'GET /t.js': {
    function: 'pages',
    operationId: 'getLandingPageSnippet',
    summary: 'The landing-page snippet',
    description:
      'A dependency-free script (under 2 KB gzipped) for the landing site: `<script src="https://<short domain>/t.js" defer></script>`. It keeps the `eaclid` of the landing URL in a first-party cookie of the landing site for 90 days (the longest lookback), exposes it as `window.advocacy.clickId()` and fills form fields named `eaclid`. It makes no request of its own. Cached for an hour (`ETag` revalidation after).',
    tag: 'Integrations',
    auth: { kind: 'public', reason: Reasons.snippet },
    responses: {
      200: { description: 'The script', content: { 'text/javascript': { schema: { json: { type: 'string' } } } } },
      304: { description: 'Not modified (`If-None-Match` matched the `ETag`)' },
    },
  },

  'GET /{slug}': {
    function: 'redirect',
    operationId: 'followLink',
    summary: 'Follow a short link',
    description:
      'Redirects to the destination with `utm_*` parameters. Human visitors also get `eaclid=<clickId>` and, as the organization\'s `visitorCookies` allows (default: unless the request carries `Sec-GPC: 1`), the `eav` visitor cookie (393 days from the first click, not renewed) and the `eac` click memory; without them the click is recorded under a visitor of its own (docs/privacy.md); previews, scanners, crawlers and HEAD are redirected without them and counted apart. Disabled links and archived campaigns redirect and record nothing. The slug is resolved on the host requested (`X-Forwarded-Host`, else `Host`): a link answers only on the host it was issued on (its organization\'s verified domain, or the default domain), `404` anywhere else.',
    tag: 'Redirect',
    auth: { kind: 'public', reason: Reasons.shortLinks },
    responses: {
      302: {
        description: 'To the destination',
        headers: {
          Location: { description: 'The destination with UTM parameters (and `eaclid` for humans)', schema: { type: 'string' } },
          'Set-Cookie': {
            description:
              '`eav=<visitorId>; Max-Age=33955200; Path=/; HttpOnly; Secure; SameSite=Lax` when first issued, and `eac` (humans only, when the organization\'s `visitorCookies` allows); `Max-Age=0` for both when they may not be used',
            schema: { type: 'string' },
          },
          'Cache-Control': { description: '`private, no-store`', schema: { type: 'string' } },
        },
      },
      404: { description: 'Unknown link, or not a link of the host requested', content: problemContent },
    },
  },
  'HEAD /{slug}': {
    function: 'redirect',
    operationId: 'headLink',
    summary: 'Follow a short link with HEAD (counted as a bot request)',
    tag: 'Redirect',
    auth: { kind: 'public', reason: Reasons.shortLinks },
    responses: {
      302: { description: 'To the destination, without click id or cookie', headers: { Location: { description: 'The destination', schema: { type: 'string' } } } },
      404: { description: 'Unknown link' },
    },
  },
};

/** Answers of every operation on top of its own. */
export const commonResponses = gatewayAnswers;
