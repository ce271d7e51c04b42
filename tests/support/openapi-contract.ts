/**
 * Checks HTTP answers against the published OpenAPI document (GET /openapi.json, built here from
 * the same code): the operation is found by method and path template (literal segments before
 * parameters, like the router), then the status must be documented, the content type must be one
 * of its media types and a JSON body must validate against the media type's schema (Ajv, JSON
 * Schema 2020-12, the dialect of OpenAPI 3.1).
 *
 * `installContractCheck(baseUrl)` makes every `fetch` answer from that base URL pass the check,
 * so the end-to-end tests check all the answers they receive, whether they come through the
 * client or through a bare `fetch`. A violation rejects the `fetch` with the reasons.
 *
 * Ajv is the validator inside @seriousme/openapi-schema-validator (its dependency).
 */
import { LOCAL_EXPORT_FILE_PATH } from '../../shared/adapters/download-links.js';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { routes } from '../../shared/contract/routes.js';
import { buildOpenApiDocument } from '../../shared/contract/openapi.js';

type Json = Record<string, any>;

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

const COMPONENT_BASE = 'https://contract.test/components/';

/** `#/components/schemas/X` → an absolute id, so any schema of the document compiles on its own. */
const absoluteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/components/schemas/')
        ? [key, COMPONENT_BASE + inner.slice('#/components/schemas/'.length)]
        : [key, absoluteRefs(inner)],
    ),
  );
};

interface DocumentedOperation {
  method: string;
  path: string;
  segments: (string | null)[];
  responses: Record<string, Json>;
}

const createContract = () => {
  const document = buildOpenApiDocument() as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const [id, schema] of Object.entries(document.components.schemas as Record<string, Json>)) {
    ajv.addSchema({ ...(absoluteRefs(schema) as Json), $id: COMPONENT_BASE + id });
  }

  const operations: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(item)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        segments: path.split('/').slice(1).map((segment) => (/^\{.+\}$/.test(segment) ? null : segment)),
        responses: operation.responses,
      });
    }
  }
  // Literal segments before parameters, from the left: `/dashboard` before `/{slug}`.
  operations.sort((a, b) => {
    for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
      const aLiteral = a.segments[i] !== null;
      if (aLiteral !== (b.segments[i] !== null)) return aLiteral ? -1 : 1;
    }
    return 0;
  });

  const validators = new Map<unknown, ValidateFunction>();
  const validatorFor = (schema: Json): ValidateFunction => {
    let validate = validators.get(schema);
    if (!validate) {
      validate = ajv.compile(absoluteRefs(schema) as Json);
      validators.set(schema, validate);
    }
    return validate;
  };

  const findOperation = (method: string, pathname: string) => {
    const segments = pathname.split('/').slice(1);
    return operations.find(
      (op) =>
        op.method === method &&
        op.segments.length === segments.length &&
        op.segments.every((literal, i) => (literal === null ? segments[i] !== '' : literal === segments[i])),
    );
  };

  return { document, findOperation, validatorFor };
};

let contract: ReturnType<typeof createContract> | undefined;
const getContract = () => (contract ??= createContract());

export interface ObservedResponse {
  method: string;
  pathname: string;
  status: number;
  contentType: string | null;
  /** undefined when the body could not be read (the status and content type are still checked). */
  body: string | undefined;
}

/** The ways an answer departs from the document; empty when it conforms. */
export const contractViolations = (observed: ObservedResponse): string[] => {
  const { findOperation, validatorFor } = getContract();
  const operation = findOperation(observed.method, observed.pathname);
  // No route at all: the gateway's own 404, outside every operation.
  if (!operation) return observed.status === 404 ? [] : [`no documented operation answers ${observed.method} ${observed.pathname}`];
  const response = operation.responses[String(observed.status)] ?? operation.responses.default;
  if (!response) return [`status ${observed.status} is not documented`];
  const content = response.content as Record<string, Json> | undefined;
  const unread = observed.body === undefined;
  const hasBody = observed.method !== 'HEAD' && (unread || observed.body!.length > 0);
  if (!content) return hasBody ? [`status ${observed.status} is documented without a body, got ${observed.contentType}`] : [];
  if (!hasBody) return observed.method === 'HEAD' ? [] : [`status ${observed.status} is documented with a body, got none`];

  const mediaType = (observed.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const media = content[mediaType];
  if (!media) return [`content type ${observed.contentType} is not one of ${Object.keys(content).join(', ')}`];
  if (observed.body === undefined || !/[/+]json$/.test(mediaType)) return []; // text, CSV, images: the media type is the promise
  let value: unknown;
  try {
    value = JSON.parse(observed.body);
  } catch {
    return [`the ${mediaType} body is not JSON`];
  }
  const validate = validatorFor(media.schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message} ${JSON.stringify(error.params)}`);
};

export class ContractViolation extends Error {
  constructor(observed: ObservedResponse, reasons: string[]) {
    super(
      `${observed.method} ${observed.pathname} → ${observed.status} does not match the OpenAPI document:\n  ${reasons.join('\n  ')}\n  body: ${(observed.body ?? '').slice(0, 500)}`,
    );
    this.name = 'ContractViolation';
  }
}

const functionOfOperation = (method: string, pathname: string): string | undefined => {
  const operation = getContract().findOperation(method, pathname);
  return operation && routes.find((route) => route.method === method && route.path === operation.path)?.function;
};

interface CheckedBase {
  origin: string;
  /** Functions replaced by test stubs: their answers are the stub's, not the product's. */
  unchecked: ReadonlySet<string>;
}

const checkedBases: CheckedBase[] = [];
let originalFetch: typeof fetch | undefined;

const requestMethod = (input: Parameters<typeof fetch>[0], init?: RequestInit): string =>
  (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();

const requestUrl = (input: Parameters<typeof fetch>[0]): URL =>
  new URL(input instanceof Request ? input.url : String(input));

/** Every later `fetch` answer from `baseUrl` is checked against the document. */
export const installContractCheck = (baseUrl: string, options: { uncheckedFunctions?: readonly string[] } = {}) => {
  const origin = new URL(baseUrl).origin;
  checkedBases.push({ origin, unchecked: new Set(options.uncheckedFunctions ?? []) });
  if (originalFetch) return;
  const unpatched = (originalFetch = globalThis.fetch);
  globalThis.fetch = async (input, init) => {
    const response = await unpatched(input, init);
    const url = requestUrl(input);
    // The latest registration wins: a port may be reused by a later runtime of the same file.
    const base = checkedBases.findLast((candidate) => candidate.origin === url.origin);
    // The local issuer's JWKS is a local stand-in for the identity provider, and the local export
    // file URL one for S3's presigned URLs: neither is part of the API.
    if (!base || url.pathname === '/.well-known/jwks.json' || url.pathname === LOCAL_EXPORT_FILE_PATH) return response;
    const method = requestMethod(input, init);
    const fn = functionOfOperation(method, url.pathname);
    if (fn && base.unchecked.has(fn)) return response;
    const observed: ObservedResponse = {
      method,
      pathname: url.pathname,
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: method === 'HEAD' ? '' : await response.clone().text(),
    };
    const reasons = contractViolations(observed);
    if (reasons.length > 0) throw new ContractViolation(observed, reasons);
    return response;
  };
};

/** Validation errors of `value` against a schema of the document (empty when valid). */
export const schemaErrors = (schema: Json, value: unknown): string[] => {
  const validate = getContract().validatorFor(schema);
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '(value)'} ${error.message}`);
};
