/**
 * Clicks at a fixed rate through the local runtime's HTTP API, the way browsers and link-preview
 * bots send them: new visitors without cookies, returning ones with the `eav`/`eac` cookies their
 * last redirect set, and a share of LinkedIn previews. A fixed rate (not "as fast as possible")
 * so that per-second counts mean something; in-flight requests are capped so a slow second does
 * not snowball.
 */
import { browserUserAgents } from '../lib/dataset.js';
import type { Random } from '../lib/random.js';

const PREVIEW_BOT = 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)';
const MAX_IN_FLIGHT = 64;
const RETURNING_POOL = 500;

export interface TrafficOptions {
  baseUrl: string;
  clicksPerSecond: number;
  seconds: number;
  /** The slug of the next click. */
  nextSlug: () => string;
  random: Random;
  /** Share of requests from a link-preview bot. */
  botShare: number;
  /** Share of human clicks from a browser that clicked before (and sends its cookies). */
  returningShare: number;
}

export interface TrafficResult {
  sent: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** 302 answers to humans that carried a click id (the click was stored). */
  humanClicksRecorded: number;
  botRequests: number;
  /** Requests per slug. */
  bySlug: Map<string, number>;
  /** Requests answered by a failure (connection error, timeout). */
  failures: number;
  /** Requests that could not start in their second: in-flight cap reached. */
  skipped: number;
  startedAtMs: number;
  finishedAtMs: number;
}

const cookiesOf = (response: Response): string => {
  const pairs = response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]);
  return pairs.join('; ');
};

export const runTraffic = async (options: TrafficOptions): Promise<TrafficResult> => {
  const result: TrafficResult = {
    sent: 0,
    statuses: {},
    humanClicksRecorded: 0,
    botRequests: 0,
    bySlug: new Map(),
    failures: 0,
    skipped: 0,
    startedAtMs: Date.now(),
    finishedAtMs: 0,
  };
  const returning: string[] = [];
  const inFlight = new Set<Promise<void>>();

  const click = async () => {
    const slug = options.nextSlug();
    const bot = options.random() < options.botShare;
    const headers: Record<string, string> = {
      'user-agent': bot ? PREVIEW_BOT : browserUserAgents[Math.floor(options.random() * browserUserAgents.length)],
    };
    let pooled = -1;
    if (!bot && returning.length > 0 && options.random() < options.returningShare) {
      pooled = Math.floor(options.random() * returning.length);
      headers.cookie = returning[pooled];
    }
    result.sent++;
    if (bot) result.botRequests++;
    result.bySlug.set(slug, (result.bySlug.get(slug) ?? 0) + 1);
    try {
      const response = await fetch(`${options.baseUrl}/${slug}`, { redirect: 'manual', headers, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      result.statuses[response.status] = (result.statuses[response.status] ?? 0) + 1;
      if (bot || response.status !== 302) return;
      if ((response.headers.get('location') ?? '').includes('eaclid=')) result.humanClicksRecorded++;
      const cookies = cookiesOf(response);
      if (!cookies) return;
      if (pooled >= 0) returning[pooled] = cookies;
      else if (returning.length < RETURNING_POOL) returning.push(cookies);
      else returning[Math.floor(options.random() * RETURNING_POOL)] = cookies;
    } catch {
      result.failures++;
    }
  };

  // Ticks of 20 ms: each launches the clicks due by then.
  const total = Math.round(options.clicksPerSecond * options.seconds);
  let launched = 0;
  while (launched < total) {
    const due = Math.min(total, Math.floor(((Date.now() - result.startedAtMs) / 1000) * options.clicksPerSecond));
    for (; launched < due; launched++) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        result.skipped++;
        continue;
      }
      const request = click().finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Promise.all(inFlight);
  result.finishedAtMs = Date.now();
  return result;
};
