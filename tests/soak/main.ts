/**
 * `npm run soak`: about a minute of mixed traffic on loopback while the system is hurt — the
 * stream consumer restarted several times and crashing mid-batch, the archiver crashing after
 * writing part of a batch's files, DynamoDB Local (persistent)
 * stopped for seconds and started again on the same port and data, a poison record in the
 * events stream — then checks that nothing was lost or doubled and that no secret or personal
 * data reached a log or a table; then erases a browser and a customer while the erasure worker
 * crashes mid-way, and checks their identifiers are gone (tests/soak/erasure.ts). Prints the figures (docs/reliability.md quotes them), writes
 * them as JSON to SOAK_REPORT when set, and exits 1 if any guarantee failed.
 *
 *   SOAK_SECONDS=60 (traffic duration; the fault schedule scales with it)
 */
import { writeFile } from 'node:fs/promises';
import { captureProcessOutput } from './log-capture.js';

const capture = captureProcessOutput();
process.exitCode = 1; // until the checks have passed
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const say = (line: string) => process.stdout.write(`[soak] ${line}\n`);

const run = async () => {
  const { startSoakSystem } = await import('./system.js');
  const { seedOrganization } = await import('./seed.js');
  const { createTraffic } = await import('./traffic.js');
  const { Ledger } = await import('./ledger.js');
  const checks = await import('./checks.js');
  const { injectPoisonRecord } = await import('./poison.js');
  const { checkAgainstModel } = await import('./model-check.js');
  const erasure = await import('./erasure.js');

  const began = Date.now();
  const system = await startSoakSystem({
    // Production-like: the redirect caches links for 5 s, so the outage outlasts the cache.
    LINK_CACHE_TTL_MS: '5000',
    // Everything the handlers would log on AWS, as JSON lines, metrics included.
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_DEV: 'false',
    POWERTOOLS_METRICS_DISABLED: 'false',
    LOCAL_HTTP_LOG: '1',
  });
  try {
    const seed = await seedOrganization(system.baseUrl, system.issuer);
    const ledger = new Ledger();
    const traffic = createTraffic(system.baseUrl, seed, ledger);
    await traffic.warmUp();
    const startedAt = Date.now();
    const setupSeconds = Math.round((startedAt - began) / 1000);
    const at = (fraction: number) => startedAt + fraction * SECONDS * 1000;
    const until = (time: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));

    const poisonKeys: string[] = [];
    let outage = { startedAt: 0, endedAt: 0 };
    const faults = (async () => {
      system.consumer.crashEvery(3);
      system.archiver.crashEvery(3);
      for (const [when, fault] of [
        [0.13, async () => system.consumer.restart(1500)],
        [0.2, async () => poisonKeys.push(await injectPoisonRecord(seed.orgId))],
        [0.3, async () => system.consumer.restart(1500)],
        [0.43, async () => (outage = await system.database.outage(Math.max(3000, SECONDS * 100)))],
        [0.66, async () => system.consumer.restart(1500)],
        [0.83, async () => system.consumer.restart(1500)],
      ] as Array<[number, () => Promise<unknown>]>) {
        await until(at(when));
        await fault();
        say(`fault at +${Math.round((Date.now() - startedAt) / 1000)}s`);
      }
    })();

    say(`traffic for ${SECONDS}s`);
    await traffic.run(at(1));
    await faults;
    system.consumer.crashEvery(0);
    system.archiver.crashEvery(0);
    say('traffic done; draining the stream');
    const trafficEndedAt = Date.now();
    await system.consumer.drain(120_000);
    await system.archiver.drain(120_000);
    const drainSeconds = Math.round((Date.now() - trafficEndedAt) / 1000);

    const events = await checks.scanTable('events');
    // The traffic's own guarantees, on the tables as the traffic left them.
    const trafficResults = [
      checks.checkClicks(ledger, events),
      checks.checkConversions(ledger, events),
      checks.checkOutage(ledger, events, outage, capture.text()),
      await checks.checkDeadLetters(system.dataDir, poisonKeys),
      await checkAgainstModel(system.baseUrl, seed, ledger, events, outage),
    ];

    // Then the erasure of the busiest browser and customer, its worker crashing mid-way.
    const subjects = erasure.pickSubjects(ledger);
    const storedBefore = (await erasure.whereStored(erasure.identifiersOf(subjects), system.dataDir)).places.length;
    const logsBefore = capture.text().length;
    say('erasing a browser and a customer');
    const outcomes = await erasure.runErasures(system.baseUrl, seed, subjects, system.erasures.backgroundIdle);
    await system.consumer.drain(120_000);
    await system.archiver.drain(120_000);
    const erasureResult = await erasure.checkErasure({
      baseUrl: system.baseUrl,
      seed,
      subjects,
      outcomes,
      crashesInjected: system.erasures.crashesInjected(),
      dataDir: system.dataDir,
      logsSince: capture.text().slice(logsBefore),
      backgroundIdle: system.erasures.backgroundIdle,
      storedBefore,
    });

    const eventsAfter = await checks.scanTable('events');
    const logs = capture.text();
    const results = [
      ...trafficResults,
      // After the erasure: roll-ups still equal a recount, every event archived once, nothing leaked.
      await checks.checkReconcile(seed, system.consumer.counters().foldCrashesInjected),
      checks.checkLogs(logs, seed, system.serverAddresses()),
      await checks.checkStores(seed, system.dataDir),
      await checks.checkArchive(eventsAfter, system.archiver.dir),
      erasureResult,
    ];
    const counters = system.consumer.counters();
    const report = {
      finishedAt: new Date().toISOString(),
      trafficSeconds: SECONDS,
      seconds: { setup: setupSeconds, traffic: Math.round((trafficEndedAt - startedAt) / 1000), drain: drainSeconds, total: Math.round((Date.now() - began) / 1000) },
      requests: {
        total: ledger.redirects.length + ledger.conversions.length + ledger.reads.length,
        redirects: ledger.redirects.length,
        conversionDeliveries: ledger.conversions.length,
        reads: ledger.reads.filter((r) => r.what !== 'hostile').length,
        hostile: ledger.hostile,
        byStatus: ledger.statusCounts(),
      },
      faults: {
        consumerRestarts: counters.restarts,
        consumerCrashesInjected: counters.crashesInjected,
        foldCrashesInjected: counters.foldCrashesInjected,
        consumerInvocations: counters.invocations,
        consumerRetries: counters.retries,
        consumerBisections: counters.bisections,
        databaseOutages: 1,
        databaseOutageMs: outage.endedAt - outage.startedAt,
        poisonRecords: poisonKeys.length,
        archiverCrashesInjected: system.archiver.counters().crashesInjected,
        archiverInvocations: system.archiver.counters().invocations,
        archiverRetries: system.archiver.counters().retries,
      },
      duplicatesSent: ledger.duplicatesSent,
      checks: results,
      // Acknowledged facts missing afterwards: clicks behind a click id, accepted conversions,
      // healthy stream records parked in the dead-letter store.
      recordsLost: [
        results[0]!.figures.clicksMissing,
        results[1]!.figures.acknowledgedNotStoredOnce,
        results[3]!.figures.healthyDeadLettered,
      ].reduce<number>((sum, n) => sum + Number(n), 0),
      passed: results.every((r) => r.failures.length === 0),
    };
    capture.stop();
    for (const result of results) {
      say(`${result.failures.length ? 'FAIL' : 'ok  '} ${result.name} ${JSON.stringify(result.figures)}`);
      for (const failure of result.failures) say(`     ${failure}`);
    }
    say(JSON.stringify({ seconds: report.seconds, requests: report.requests, faults: report.faults, duplicatesSent: report.duplicatesSent, recordsLost: report.recordsLost }));
    if (process.env.SOAK_REPORT) await writeFile(process.env.SOAK_REPORT, `${JSON.stringify(report, null, 2)}\n`);
    // Decided before cleaning up: if shutdown went wrong, the run must still not pass silently.
    process.exitCode = report.passed ? 0 : 1;
    return report.passed;
  } finally {
    capture.stop();
    // Stopping Java waits on an unreferenced child; keep the process alive until it is done.
    const keepAlive = setInterval(() => {}, 1000);
    await system.stop().finally(() => clearInterval(keepAlive));
  }
};

run().then(
  (passed) => {
    say(passed ? 'passed' : 'FAILED');
    process.exit(passed ? 0 : 1);
  },
  (error: unknown) => {
    capture.stop();
    process.stderr.write(`[soak] crashed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
