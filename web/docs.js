// The API reference: renders GET /openapi.json (OpenAPI 3.1) in the page. Self-contained on
// purpose: no CDN and no third-party renderer, so it works offline and under a strict CSP.
import { el, showState, $ } from '/assets/common.js';

const methodsInOrder = ['get', 'head', 'post', 'put', 'patch', 'delete'];

/** `code` spans and paragraphs: the only markup the document's descriptions use. */
const prose = (text) =>
  (text ?? '')
    .split(/\n{2,}/)
    .filter(Boolean)
    .map((paragraph) => el('p', {}, paragraph.split('`').map((part, i) => (i % 2 ? el('code', {}, part) : part))));

const componentName = (ref) => ref.slice(ref.lastIndexOf('/') + 1);

/** A one-line type: `string (date-time)`, `array of Campaign`, `"a" | "b"`… (references link). */
function typeOf(schema = {}) {
  if (schema.$ref) return el('a', { href: `#schema-${componentName(schema.$ref)}` }, componentName(schema.$ref));
  if ('const' in schema) return el('code', {}, JSON.stringify(schema.const));
  if (schema.enum) return el('code', {}, schema.enum.map((value) => JSON.stringify(value)).join(' | '));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return el('span', {}, alternatives.flatMap((alt, i) => (i ? [' | ', typeOf(alt)] : [typeOf(alt)])));
  const types = [schema.type ?? 'any'].flat();
  const parts = types.map((type) => {
    if (type === 'array') return el('span', {}, 'array of ', typeOf(schema.items));
    if (type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object' && !schema.properties) {
      return el('span', {}, 'map of ', typeOf(schema.additionalProperties));
    }
    return schema.format && type !== 'null' ? `${type} (${schema.format})` : type;
  });
  return el('span', {}, parts.flatMap((part, i) => (i ? [' or ', part] : [part])));
}

const constraints = (schema) =>
  [
    schema.minLength !== undefined && `min length ${schema.minLength}`,
    schema.maxLength !== undefined && `max length ${schema.maxLength}`,
    schema.minimum !== undefined && `≥ ${schema.minimum}`,
    schema.maximum !== undefined && `≤ ${schema.maximum}`,
    schema.minItems !== undefined && `at least ${schema.minItems} items`,
    schema.maxItems !== undefined && `at most ${schema.maxItems} items`,
    schema.pattern && !schema.format && schema.pattern.length <= 60 && `pattern ${schema.pattern}`,
  ].filter(Boolean);

/** A table of an object's properties; nested inline objects open in place. */
function propertiesTable(schema, depth = 0) {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const nested = property.type === 'object' && property.properties && depth < 3;
    const itemsNested = property.type === 'array' && property.items?.type === 'object' && property.items.properties && depth < 3;
    return el(
      'tr',
      {},
      el('td', {}, el('code', {}, name), required.has(name) ? el('span', { class: 'required', title: 'required' }, ' *') : null),
      el('td', {}, typeOf(property)),
      el(
        'td',
        {},
        prose(property.description),
        constraints(property).length ? el('p', { class: 'muted' }, constraints(property).join(', ')) : null,
        nested ? el('details', {}, el('summary', {}, 'fields'), propertiesTable(property, depth + 1)) : null,
        itemsNested ? el('details', {}, el('summary', {}, 'item fields'), propertiesTable(property.items, depth + 1)) : null,
      ),
    );
  });
  const closed = schema.additionalProperties === false ? el('p', { class: 'muted' }, 'No other fields.') : null;
  return el('div', {}, el('div', { class: 'table-scroll' }, el('table', { class: 'fields' }, el('thead', {}, el('tr', {}, el('th', {}, 'Field'), el('th', {}, 'Type'), el('th', {}, 'Description'))), el('tbody', {}, rows))), closed);
}

const schemaView = (schema) =>
  schema.type === 'object' && schema.properties ? propertiesTable(schema) : el('p', {}, typeOf(schema));

const example = (value) => (value === undefined ? null : el('details', {}, el('summary', {}, 'Example'), el('pre', {}, JSON.stringify(value, null, 2))));

function access(operation) {
  if (!operation.security?.length) return 'Public: no credential.';
  return 'Security: ' + operation.security
    .map((requirement) =>
      Object.entries(requirement)
        .map(([scheme, roles]) => (roles.length ? `${scheme} (${roles.join(', ')})` : scheme))
        .join(' + '),
    )
    .join(' or ');
}

function operationSection(path, method, operation) {
  const parameters = operation.parameters ?? [];
  return el(
    'section',
    { class: 'operation', id: operation.operationId },
    el('h3', {}, el('span', { class: `method method-${method}` }, method.toUpperCase()), ' ', el('code', {}, path)),
    el('p', { class: 'summary' }, operation.summary),
    prose(operation.description),
    el('p', { class: 'muted' }, access(operation)),
    parameters.length
      ? el(
          'div',
          {},
          el('h4', {}, 'Parameters'),
          el(
            'div',
            { class: 'table-scroll' },
            el(
              'table',
              { class: 'fields' },
              el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', {}, 'In'), el('th', {}, 'Type'), el('th', {}, 'Description'))),
              el(
                'tbody',
                {},
                parameters.map((p) =>
                  el(
                    'tr',
                    {},
                    el('td', {}, el('code', {}, p.name), p.required ? el('span', { class: 'required', title: 'required' }, ' *') : null),
                    el('td', {}, p.in),
                    el('td', {}, typeOf(p.schema)),
                    el('td', {}, prose(p.description), p.example !== undefined ? el('p', { class: 'muted' }, 'e.g. ', el('code', {}, String(p.example))) : null),
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
    operation.requestBody
      ? el(
          'div',
          {},
          el('h4', {}, 'Request body'),
          prose(operation.requestBody.description),
          Object.entries(operation.requestBody.content).map(([mediaType, media]) => el('div', {}, el('p', { class: 'muted' }, mediaType), schemaView(media.schema), example(media.example))),
        )
      : null,
    el('h4', {}, 'Responses'),
    el(
      'dl',
      { class: 'responses' },
      Object.entries(operation.responses).flatMap(([status, response]) => [
        el('dt', {}, el('span', { class: `status status-${status[0]}xx` }, status)),
        el(
          'dd',
          {},
          prose(response.description),
          Object.entries(response.content ?? {}).map(([mediaType, media]) => el('div', { class: 'media' }, el('code', {}, mediaType), ' ', typeOf(media.schema), example(media.example))),
        ),
      ]),
    ),
  );
}

function render(openapi) {
  const byTag = new Map((openapi.tags ?? []).map((tag) => [tag.name, { tag, operations: [] }]));
  for (const [path, item] of Object.entries(openapi.paths)) {
    for (const method of methodsInOrder) {
      const operation = item[method];
      if (!operation) continue;
      const tagName = operation.tags?.[0] ?? 'Other';
      if (!byTag.has(tagName)) byTag.set(tagName, { tag: { name: tagName }, operations: [] });
      byTag.get(tagName).operations.push({ path, method, operation });
    }
  }

  // el() flattens nested lists of children; replaceChildren does not.
  const toc = el(
    'div',
    {},
    el('a', { href: '#overview' }, 'Overview'),
    [...byTag.values()].map(({ tag, operations }) =>
      el(
        'div',
        {},
        el('h2', {}, tag.name),
        el('ul', { class: 'plain' }, operations.map(({ path, method, operation }) => el('li', {}, el('a', { href: `#${operation.operationId}` }, el('span', { class: `method method-${method}` }, method.toUpperCase()), ' ', path)))),
      ),
    ),
    el('a', { href: '#schemas' }, 'Schemas'),
  );
  $('#toc').replaceChildren(...toc.childNodes);

  const schemes = Object.entries(openapi.components?.securitySchemes ?? {});
  const reference = el(
    'div',
    {},
    el(
      'section',
      { id: 'overview' },
      el('h1', {}, openapi.info.title, ' ', el('span', { class: 'muted' }, `v${openapi.info.version}`)),
      el('p', { class: 'summary' }, openapi.info.summary),
      prose(openapi.info.description),
      el('p', {}, 'OpenAPI ', openapi.openapi, ' document: ', el('a', { href: '/openapi.json' }, '/openapi.json'), '.'),
      el('h2', {}, 'Credentials'),
      el('dl', {}, schemes.flatMap(([name, scheme]) => [el('dt', {}, el('code', {}, name), ` — ${scheme.type}${scheme.scheme ? ` ${scheme.scheme}` : ''}${scheme.bearerFormat ? ` (${scheme.bearerFormat})` : ''}${scheme.name ? ` header ${scheme.name}` : ''}`), el('dd', {}, prose(scheme.description))])),
    ),
    [...byTag.values()].map(({ tag, operations }) =>
      el('section', { class: 'tag' }, el('h2', {}, tag.name), prose(tag.description), operations.map(({ path, method, operation }) => operationSection(path, method, operation))),
    ),
    el(
      'section',
      { id: 'schemas' },
      el('h2', {}, 'Schemas'),
      Object.entries(openapi.components?.schemas ?? {}).map(([name, schema]) =>
        el('section', { class: 'schema', id: `schema-${name}` }, el('h3', {}, name), prose(schema.description), schemaView(schema)),
      ),
    ),
  );
  $('#reference').replaceChildren(...reference.childNodes);
  $('#reference').dataset.state = 'ready';
  $('#reference').setAttribute('aria-busy', 'false');
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}

async function load() {
  showState($('#reference'), 'loading', { message: 'Loading the API description…' });
  try {
    const response = await fetch('/openapi.json', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    render(await response.json());
  } catch (error) {
    showState($('#reference'), 'error', { title: 'Could not load the API description', message: error.message, retry: load });
  }
}

load();
