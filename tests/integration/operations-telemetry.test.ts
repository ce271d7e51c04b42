/**
 * What an operator reads, from the handlers running in the local runtime: every log line of a
 * request carries its correlation id (the API request id the client got in `apigw-requestid`)
 * and the Lambda request id; the conversion intake counts accepted, duplicate and refused
 * deliveries; the roll-up consumer counts the clicks it rolled up and its lag, once per batch.
 * Logs and EMF metrics are read from this process's output (the runtime runs handlers in it).
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../../shared/adapters/metric-names.js';
import { captureProcessOutput, type LogCapture } from '../soak/log-capture.js';
import { browserUserAgents, type Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };
let source: { sourceId: string; secret: string };
let slug: string;
let output: LogCapture;

/** The JSON lines written since `from` (a length of the captured text). */
const jsonLines = (from = 0): Array<Record<string, any>> =>
  output
    .text()
    .slice(from)
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, any>];
      } catch {
        return [];
      }
    });

/** Powertools EMF lines (a `_aws.CloudWatchMetrics` block) and the metric values they carry. */
const emfLines = (from = 0) => jsonLines(from).filter((line) => line._aws?.CloudWatchMetrics);
const metricNamesOf = (line: Record<string, any>): string[] =>
  line._aws.CloudWatchMetrics.flatMap((block: { Metrics: Array<{ Name: string }> }) => block.Metrics.map((m) => m.Name));

const sendConversion = async (options: { webhookId?: string; secret?: string } = {}) => {
  const body = JSON.stringify({
    type: 'conversion.created',
    data: { conversionId: `order-${randomUUID()}`, kind: 'signup', occurredAt: new Date().toISOString() },
  });
  const webhookId = options.webhookId ?? `msg_${randomUUID()}`;
  const timestamp = new Date();
  const signature = new Webhook(options.secret ?? source.secret).sign(webhookId, timestamp, body);
  return api('POST', `/v1/webhooks/conversions/${source.sourceId}`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
  });
};

beforeAll(async () => {
  output = captureProcessOutput();
  // As on AWS: JSON lines (not the local runtime's pretty logs), EMF metrics on, INFO so the
  // refusals below are logged (the stack's LogLevel parameter).
  system = await startSystem({ env: { POWERTOOLS_DEV: 'false', POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_LOG_LEVEL: 'INFO' } });
  api = system.client.request;
  org = await system.createOrganization('Telemetry');
  const campaign = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Launch', destinationUrl: 'https://telemetry.example/' } });
  expect(campaign.status).toBe(201);
  expect((await api('PUT', '/v1/advocates/ann', { token: org.apiKey, body: { displayName: 'Ann' } })).status).toBe(201);
  const link = await api('POST', '/v1/links', { token: org.apiKey, body: { campaignId: campaign.body.campaignId, advocateId: 'ann', channel: 'linkedin' } });
  expect(link.status).toBe(201);
  slug = link.body.slug;
  const created = await api('POST', '/v1/webhook-sources', { token: org.apiKey, body: { name: 'Shop' } });
  expect(created.status).toBe(201);
  source = { sourceId: created.body.sourceId, secret: created.body.secret };
}, 60_000);

afterAll(async () => {
  output?.stop();
  await system?.stop();
});

describe('correlation id', () => {
  it('the authorizer\'s log line of a request carries that request\'s API request id and a Lambda request id', async () => {
    const from = output.text().length;
    // A token from an issuer the system does not trust: the authorizer logs the refusal.
    const response = await api('GET', '/v1/campaigns', { token: await system.foreignIssuerToken(org.orgId, 'ann') });
    expect(response.status).toBe(401);
    const requestId = response.headers.get('apigw-requestid');
    expect(requestId).toBeTruthy();
    const refused = jsonLines(from).filter((line) => line.message === 'Advocate token refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ correlation_id: requestId, service: expect.any(String) });
    expect(typeof refused[0].function_request_id).toBe('string');
    expect(refused[0].function_request_id).not.toBe('');
  });

  it('every log line of one request carries its id, and the next request\'s lines do not carry the previous id', async () => {
    const from = output.text().length;
    const refused = await sendConversion({ secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}` });
    expect(refused.status).toBe(401);
    const firstId = refused.headers.get('apigw-requestid');
    const afterFirst = output.text().length;
    const second = await sendConversion({ secret: `whsec_${Buffer.alloc(24, 9).toString('base64')}` });
    expect(second.status).toBe(401);
    const secondId = second.headers.get('apigw-requestid');
    expect(secondId).not.toBe(firstId);

    const firstLines = jsonLines(from).slice(0, jsonLines(from).length - jsonLines(afterFirst).length);
    const logLines = (lines: Array<Record<string, any>>) => lines.filter((line) => line.level && line.message);
    expect(logLines(firstLines).map((l) => l.message)).toContain('Webhook refused');
    for (const line of logLines(firstLines)) expect(line.correlation_id, line.message).toBe(firstId);
    expect(logLines(jsonLines(afterFirst)).length).toBeGreaterThan(0);
    for (const line of logLines(jsonLines(afterFirst))) expect(line.correlation_id, line.message).toBe(secondId);
  });
});

describe('metrics', () => {
  it('the intake counts each delivery: accepted, duplicate, refused', async () => {
    const from = output.text().length;
    const webhookId = `msg_${randomUUID()}`;
    expect((await sendConversion({ webhookId })).status).toBe(202);
    expect((await sendConversion({ webhookId })).status).toBe(200);
    expect((await sendConversion({ secret: `whsec_${Buffer.alloc(24, 3).toString('base64')}` })).status).toBe(401);
    const lines = emfLines(from).filter((line) => line.service === 'conversions' || metricNamesOf(line).some((n) => n.startsWith('Conversions')));
    const counted = lines.flatMap(metricNamesOf);
    expect(counted.sort()).toEqual([metricNames.conversionsAccepted, metricNames.conversionsDuplicate, metricNames.conversionsRefused].sort());
    for (const line of lines) expect(line[metricNamesOf(line)[0]]).toBe(1);
  });

  it('the consumer counts the clicks it rolled up (and folded) and the lag of its newest record, once per batch', async () => {
    await system.streamsIdle();
    const from = output.text().length;
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${system.baseUrl}/${slug}`, { redirect: 'manual', headers: { 'user-agent': browserUserAgents.chromeDesktop } });
      expect(response.status).toBe(302);
    }
    await system.streamsIdle();
    const batches = emfLines(from).filter((line) => metricNamesOf(line).includes(metricNames.clicksRecorded));
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches.reduce((sum, line) => sum + Number(line[metricNames.clicksRecorded]), 0)).toBe(3);
    // Fresh clicks, in the index before their batch: the click fold counts each of them.
    expect(batches.reduce((sum, line) => sum + Number(line[metricNames.clicksFolded]), 0)).toBe(3);
    for (const line of batches) {
      expect(metricNamesOf(line)).toContain(metricNames.rollupLag);
      const lag = Number(line[metricNames.rollupLag]);
      expect(lag).toBeGreaterThanOrEqual(0);
      // The clicks were made seconds ago: the lag is their age, not an epoch.
      expect(lag).toBeLessThan(120_000);
    }
  }, 60_000);
});
