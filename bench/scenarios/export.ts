/**
 * Scenario `export` — a history export of 1 M archived clicks to CSV through the local runtime.
 * The clicks are written straight into a temporary archive directory as the archiver would (one
 * Parquet file per day, shared/adapters/archive-file.ts), none of them hot. Then `POST /v1/exports`
 * goes to the local runtime (its own process, as `npm start` runs it), and its status is asked
 * until the export has succeeded. Measured: seconds from the request to `succeeded`, and the
 * runtime process's peak RSS while the export ran (the kernel's high-water mark included).
 * Targets (issue 15): ≤ 60 s and ≤ 300 MB.
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeArchiveFile } from '../../shared/adapters/archive-file.js';
import { archivePartition, archiveRowOf } from '../../shared/domain/archive.js';
import type { ClickEventRecord } from '../../shared/domain/events.js';
import { shiftDay } from '../../shared/domain/exports.js';
import type { RuntimeChildConfig, RuntimeChildReady } from '../children/runtime.js';
import { formatNumber, type BenchContext, type ScenarioResult } from '../lib/context.js';
import { startChild, watchRss } from '../lib/processes.js';
import { seededRandom } from '../lib/random.js';

const CLICKS = 1_000_000;
const DAYS = 100;
const SECONDS_TARGET = 60;
const RSS_TARGET_MB = 300;
/** How often the scenario asks for the export's status. */
const POLL_MS = 250;

const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Edge'];
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'NL', undefined];

/** A day's archived clicks of the campaign, as the archiver files them. */
const clicksOfDay = (orgId: string, campaignId: string, day: string, count: number, offset: number, random: () => number): ClickEventRecord[] =>
  Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const id = `clk_${String(n).padStart(8, '0')}`;
    const human = random() > 0.1;
    const country = COUNTRIES[Math.floor(random() * COUNTRIES.length)];
    return {
      type: 'click',
      eventId: id,
      clickId: id,
      orgId,
      campaignId,
      slug: `s${(n % 997).toString(36).padStart(7, '0')}`,
      advocateId: `emp-${String(n % 10_000).padStart(5, '0')}`,
      channel: n % 3 === 0 ? 'email' : 'linkedin',
      at: new Date(Date.parse(`${day}T00:00:00.000Z`) + Math.floor((i / count) * 86_400_000)).toISOString(),
      unique: random() > 0.3,
      botClass: human ? 'human' : 'crawler',
      device: human ? 'mobile' : 'bot',
      browser: BROWSERS[n % BROWSERS.length]!,
      os: n % 2 === 0 ? 'iOS' : 'Windows',
      ...(human ? { visitorId: `v${String(n % 400_000).padStart(21, '0')}` } : {}),
      ...(country ? { country } : {}),
      ...(n % 4 === 0 ? { referrerHost: 'www.linkedin.com' } : {}),
    } as ClickEventRecord;
  });

export const exportScenario = async (context: BenchContext): Promise<ScenarioResult> => {
  const { world, options } = context;
  const orgId = world.orgId;
  const campaignId = world.campaignIds[0]!;
  const scratch = await mkdtemp(join(tmpdir(), 'advocacy-bench-export-'));
  const archiveDir = join(scratch, 'archive');
  const exportsDir = join(scratch, 'exports');
  const today = new Date().toISOString().slice(0, 10);
  const from = shiftDay(today, DAYS);
  const to = shiftDay(today, 1);

  try {
    context.log(`export: writing ${formatNumber(CLICKS, 0)} archived clicks over ${DAYS} days as Parquet`);
    const random = seededRandom(options.seed + 60);
    const perDay = CLICKS / DAYS;
    let archiveBytes = 0;
    for (let d = 0; d < DAYS; d++) {
      const day = shiftDay(from, -d);
      const directory = join(archiveDir, archivePartition(orgId, 'click', day));
      await mkdir(directory, { recursive: true });
      const bytes = encodeArchiveFile('click', clicksOfDay(orgId, campaignId, day, perDay, d * perDay, random).map(archiveRowOf));
      archiveBytes += bytes.length;
      await writeFile(join(directory, 'part-00000.parquet'), bytes);
    }

    const runtime = await startChild<RuntimeChildReady>('runtime', {
      dynamodbEndpoint: context.dynamodbEndpoint,
      tablePrefix: 's6-',
      env: { ...world.entitiesEnv, LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY!, ARCHIVE_DIR: archiveDir, EXPORTS_DIR: exportsDir },
      consumer: 'idle',
    } satisfies RuntimeChildConfig);
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${runtime.ready.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${world.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    try {
      context.log(`export: POST /v1/exports ${from}…${to} (clicks, CSV)`);
      const baselineRss = watchRss(runtime.pid).stop().peakBytes;
      const rss = watchRss(runtime.pid, 50);
      const started = performance.now();
      const created = await api('POST', '/v1/exports', { campaignId, from, to, type: 'click', format: 'csv' });
      if (created.status !== 202) throw new Error(`POST /v1/exports answered ${created.status}: ${JSON.stringify(created.body)}`);
      let state = created.body;
      while (state.status === 'queued' || state.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        state = (await api('GET', `/v1/exports/${String(created.body.exportId)}`)).body;
      }
      const seconds = (performance.now() - started) / 1000;
      const peak = rss.stop().peakBytes;
      if (state.status !== 'succeeded') throw new Error(`export ${String(state.status)}: ${JSON.stringify(state)}`);
      const files = await readdir(join(exportsDir, 'exports', `org=${orgId}`));
      const csvBytes = (await stat(join(exportsDir, 'exports', `org=${orgId}`, files[0]!))).size;
      const mb = (bytes: number) => bytes / 1024 / 1024;
      return {
        id: 'export',
        title: 'Export: 1 M archived clicks to CSV through the local runtime',
        method:
          `${formatNumber(CLICKS, 0)} clicks of one campaign written as ${DAYS} daily Parquet files (${formatNumber(mb(archiveBytes), 1)} MB) into a temporary archive directory, ` +
          'none hot; `POST /v1/exports` to the local runtime (its own process, stream consumer idle), then `GET /v1/exports/{id}` every ' +
          `${POLL_MS} ms until succeeded. Peak RSS of the runtime process sampled every 50 ms and the kernel's high-water mark.`,
        targets: [
          { name: 'Export of 1 M archived clicks to CSV', target: `≤ ${SECONDS_TARGET} s`, measured: `${formatNumber(seconds, 1)} s`, met: seconds <= SECONDS_TARGET },
          { name: 'Local runtime peak RSS while exporting', target: `≤ ${RSS_TARGET_MB} MB`, measured: `${formatNumber(mb(peak), 0)} MB`, met: mb(peak) <= RSS_TARGET_MB },
        ],
        tables: [
          {
            headers: ['rows', 'CSV size', 'seconds', 'peak RSS', 'RSS before'],
            rows: [[formatNumber(Number(state.rowCount), 0), `${formatNumber(mb(csvBytes), 1)} MB`, formatNumber(seconds, 1), `${formatNumber(mb(peak), 0)} MB`, `${formatNumber(mb(baselineRss), 0)} MB`]],
          },
        ],
        notes: ['The download itself is not timed: the download route redirects to the file (locally a runtime URL that streams it; on AWS a presigned S3 URL).'],
        data: { clicks: CLICKS, days: DAYS, rowCount: state.rowCount, seconds, peakRssBytes: peak, baselineRssBytes: baselineRss, csvBytes, archiveBytes },
      };
    } finally {
      await runtime.stop();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
};
