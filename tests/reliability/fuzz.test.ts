/**
 * Property-based fuzzing of every route of infra/definitions.ts (a route added there is fuzzed
 * without touching this file). Requests go through the in-process gateway — the local API's own
 * event building, authorizer and result mapping — to the real handlers on DynamoDB Local.
 *
 * For every generated request, whatever it contains:
 * - the answer is a success or a 4xx application/problem+json (RFC 9457 members), never a 5xx;
 * - a refused request wrote nothing (every successful write of the handler is recorded);
 * - bodies with unknown fields, over 64 KiB, or not the route's JSON object are refused on writes;
 * - no answer header carries CR or LF; a redirect goes only to a campaign's own host;
 * - nothing pollutes Object.prototype.
 * Per read-only route, a table fingerprint before and after proves the recorder misses no write.
 *
 * FUZZ_CASES (default 2000) sets the cases per route, FUZZ_SEED replays a failure, FUZZ_ROUTES
 * (a regular expression on the route key) narrows a local run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functions, tables } from '../../infra/definitions.js';
import { routeKey, routes } from '../../shared/contract/routes.js';
import type { TableId } from '../../shared/settings.js';
import { tableName } from '../../shared/config.js';
import { fuzzCase, type FuzzCase } from './support/arbitraries.js';
import type { WireAnswer } from './support/gateway.js';
import { allowedRedirectHosts, fuzzContextFor } from './support/route-knowledge.js';
import { fingerprint, watchTables, type Recording } from './support/table-watch.js';
import { startWorld, type World } from './support/world.js';

const CASES_PER_ROUTE = Number(process.env.FUZZ_CASES ?? 2000);
/** Requests of one property run go concurrently: DynamoDB Local serves several at once. */
const CONCURRENCY = 10;
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const onlyRoutes = new RegExp(process.env.FUZZ_ROUTES ?? '');
const fuzzedRoutes = routes.filter((route) => onlyRoutes.test(routeKey(route)));

let world: World;
const statistics: Record<string, { cases: number; statuses: Record<number, number>; writes: number; ms: number }> = {};
/** What each function actually did to each table during the fuzzing: 'read' and/or 'write'. */
const usage = new Map<string, Map<TableId, Set<'read' | 'write'>>>();

const recordUsage = (recording: Recording) => {
  const idOf = new Map((Object.keys(tables) as TableId[]).map((id) => [tableName(id), id]));
  const note = (fn: string | undefined, table: string, kind: 'read' | 'write') => {
    const id = idOf.get(table);
    if (!fn || !id) return;
    const byTable = usage.get(fn) ?? new Map<TableId, Set<'read' | 'write'>>();
    byTable.set(id, (byTable.get(id) ?? new Set()).add(kind));
    usage.set(fn, byTable);
  };
  for (const write of recording.writes) for (const table of write.tables) note(write.fn, table, 'write');
  for (const read of recording.reads) for (const table of read.tables) note(read.fn, table, 'read');
};

beforeAll(async () => {
  world = await startWorld();
  // Production's link cache: the redirect need not read a seeded link for every fuzzed request.
  process.env.LINK_CACHE_TTL_MS = '60000';
});

afterAll(async () => {
  await world?.stop();
  if (process.env.FUZZ_REPORT) {
    console.log(JSON.stringify(statistics, null, 1));
    console.log(JSON.stringify(Object.fromEntries([...usage].map(([fn, byTable]) => [fn, Object.fromEntries([...byTable].map(([t, k]) => [t, [...k]]))]))));
  }
});

const problemMembers = (answer: WireAnswer): string | undefined => {
  if (!/^application\/problem\+json/.test(String(answer.headers['content-type'] ?? ''))) {
    return `content-type ${String(answer.headers['content-type'])}`;
  }
  let body: any;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return 'body is not JSON';
  }
  if (body?.status !== answer.status) return `status member ${body?.status}`;
  for (const member of ['type', 'title', 'detail']) if (typeof body[member] !== 'string') return `no ${member}`;
  if (body.errors !== undefined) {
    const valid = Array.isArray(body.errors) && body.errors.every((e: any) => typeof e?.field === 'string' && typeof e?.message === 'string');
    if (!valid) return 'malformed errors';
  }
  return undefined;
};

/** Everything that must hold for one answer; the reason it does not, or undefined. */
const violation = (fuzz: FuzzCase, answer: WireAnswer, recording: Recording): string | undefined => {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.slice(0, 300)}`;
  for (const [name, value] of Object.entries(answer.headers)) {
    if ([value].flat().some((v) => /[\r\n]/.test(v))) return `header ${name} carries CR/LF`;
  }
  if (answer.status >= 400) {
    const problem = problemMembers(answer);
    if (problem) return `${answer.status} is not problem+json: ${problem}`;
    if (recording.writes.length > 0) return `refused with ${answer.status} but wrote ${JSON.stringify(recording.writes)}`;
    return undefined;
  }
  if (fuzz.mustReject) return `accepted (${answer.status}) although ${fuzz.mustReject}`;
  if (answer.status >= 300) {
    const location = String(answer.headers.location ?? '');
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return `redirect to a non-URL ${location}`;
    }
    if (!['http:', 'https:'].includes(url.protocol) || !allowedRedirectHosts.has(url.hostname)) return `redirect to ${location}`;
  } else if (/json/.test(String(answer.headers['content-type'] ?? '')) && answer.body.length <= 65_536) {
    try {
      JSON.parse(answer.body);
    } catch {
      return 'success body is not JSON';
    }
  }
  return undefined;
};

const prototypeIsClean = () => Object.keys(Object.prototype).length === 0 && ({} as any).polluted === undefined;

describe('every route survives hostile input', () => {
  it('covers every route of the definition', () => {
    expect(routes.length).toBeGreaterThan(0);
  });

  it.each(fuzzedRoutes.map((route) => [routeKey(route), route] as const))(
    '%s',
    async (key, route) => {
      const started = performance.now();
      const stats = (statistics[key] = { cases: 0, statuses: {} as Record<number, number>, writes: 0, ms: 0 });
      // Routes that read must leave every table exactly as it was; the check costs two scans.
      const readOnly = route.method === 'GET' || route.method === 'HEAD';
      const before = readOnly ? await fingerprint() : undefined;
      const details = await fc.check(
        fc.asyncProperty(fc.array(fuzzCase(fuzzContextFor(world, route)), { minLength: CONCURRENCY, maxLength: CONCURRENCY }), async (cases) => {
          const outcomes = await Promise.all(
            cases.map(async (fuzz) => {
              const { result, recording } = await watchTables(() => world.cachedGateway.send(fuzz.request));
              return { fuzz, answer: result, recording };
            }),
          );
          for (const { fuzz, answer, recording } of outcomes) {
            stats.cases++;
            stats.statuses[answer.status] = (stats.statuses[answer.status] ?? 0) + 1;
            stats.writes += recording.writes.length;
            recordUsage(recording);
            const reason = violation(fuzz, answer, recording);
            if (reason) throw new Error(`${fuzz.label}: ${reason}`);
          }
          if (!prototypeIsClean()) throw new Error(`Object.prototype polluted: ${Object.keys(Object.prototype)}`);
        }),
        { numRuns: Math.ceil(CASES_PER_ROUTE / CONCURRENCY), ...(seed !== undefined ? { seed } : {}), endOnFailure: true },
      );
      // Our own message: fast-check's would print ten hostile requests of up to 200 KB each.
      if (details.failed) {
        const reason = (details.errorInstance as Error | undefined)?.message ?? String(details.errorInstance);
        throw new Error(`${reason.slice(0, 3000)}\n(replay: FUZZ_SEED=${details.seed})`);
      }
      // With no recorded write, not a single item may differ: nothing wrote around the recorder.
      if (before && stats.writes === 0) expect(await fingerprint()).toEqual(before);
      stats.ms = Math.round(performance.now() - started);
      expect(stats.cases).toBeGreaterThanOrEqual(CASES_PER_ROUTE);
    },
    600_000,
  );
});

describe('least privilege, seen from the inside', () => {
  it('no function touched a table, or wrote where, its definition (and so its IAM role) does not allow', () => {
    expect(usage.size).toBeGreaterThan(0);
    const beyond: string[] = [];
    for (const [fn, byTable] of usage) {
      const granted = (functions as Record<string, { tables: Partial<Record<TableId, string>> }>)[fn]?.tables ?? {};
      for (const [table, kinds] of byTable) {
        const access = granted[table];
        for (const kind of kinds) {
          const allowed = access === 'readWrite' || access === kind;
          if (!allowed) beyond.push(`${fn} ${kind}s ${table} (granted: ${access ?? 'nothing'})`);
        }
      }
    }
    expect(beyond).toEqual([]);
  });
});
