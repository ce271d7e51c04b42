/**
 * Attacks on the conversion webhook, through the in-process gateway and the real handler on
 * DynamoDB Local, with the clock moved where time matters (`vi.setSystemTime` fakes only Date):
 * replays after the 5-minute tolerance, a rotated-out secret after its 24 hours, signatures over
 * another body, a body that changes between verification and parsing, tampering of every part
 * of a signed request (property-based), and 1,000 concurrent duplicates. Nothing is accepted
 * twice; nothing unsigned, stale or tampered is accepted at all; a refusal writes nothing.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { verificationSecrets } from '../../shared/adapters/webhook-sources.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { eventKeys } from '../../shared/adapters/keys.js';
import { tableName } from '../../shared/adapters/config.js';
import { generateWebhookSecret, signWebhook } from '../../shared/domain/webhook-signature.js';
import { createInProcessGateway, type InProcessGateway } from './support/gateway.js';
import { watchTables } from './support/table-watch.js';
import { startWorld, type World } from './support/world.js';

let world: World;
let sequence = 0;
/** 202 answers per source: what the roll-ups must count, once each. */
const acceptedBySource = new Map<string, number>();

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  await world?.stop();
});

afterEach(() => {
  vi.useRealTimers();
});

const HOUR = 60 * 60 * 1000;

/** Moves the clock the handlers see (Date only: timers and I/O keep running). */
const travelTo = (at: number) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
};

interface Delivery {
  sourceId: string;
  webhookId: string;
  timestamp: string;
  signature: string;
  body: Buffer;
}

const conversionBody = (conversionId: string, extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      type: 'conversion.created',
      data: { conversionId, kind: 'purchase', occurredAt: new Date(Date.now() - 60_000).toISOString(), value: { amount: '10.00', currency: 'EUR' }, ...extra },
    }),
  );

const signed = (options: { secret?: string; sourceId?: string; body?: Buffer; webhookId?: string; at?: number } = {}): Delivery => {
  const webhookId = options.webhookId ?? `msg_${++sequence}_${Math.random().toString(36).slice(2)}`;
  const timestamp = Math.floor((options.at ?? Date.now()) / 1000);
  const body = options.body ?? conversionBody(`order-${sequence}-${Math.random().toString(36).slice(2)}`);
  return {
    sourceId: options.sourceId ?? world.victim.sourceId,
    webhookId,
    timestamp: String(timestamp),
    signature: signWebhook({ id: webhookId, timestamp, body, secret: options.secret ?? world.victim.sourceSecret }),
    body,
  };
};

const deliver = async (
  delivery: Delivery,
  mutateEvent?: Parameters<World['gateway']['send']>[0]['mutateEvent'],
  gateway: InProcessGateway = world.gateway,
) => {
  const { result, recording } = await watchTables(() =>
    gateway.send({
      method: 'POST',
      target: `/v1/webhooks/conversions/${delivery.sourceId}`,
      headers: [
        ['content-type', 'application/json'],
        ['webhook-id', delivery.webhookId],
        ['webhook-timestamp', delivery.timestamp],
        ['webhook-signature', delivery.signature],
      ],
      body: delivery.body,
      mutateEvent,
    }),
  );
  if (result.status === 202) acceptedBySource.set(delivery.sourceId, (acceptedBySource.get(delivery.sourceId) ?? 0) + 1);
  return { status: result.status, body: result.body, writes: recording.writes.length };
};

const conversionIdOf = (delivery: Delivery) => JSON.parse(delivery.body.toString()).data.conversionId as string;

/** How many times the conversion is stored as a raw event (its key is the dedupe key). */
const storedCount = async (orgId: string, conversionId: string) => {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: tableName('events'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': eventKeys.conversion(orgId, conversionId).pk },
      ConsistentRead: true,
    }),
  );
  return Items.length;
};

describe('replays', () => {
  it('a captured delivery replayed within the tolerance is a duplicate; after it, stale', async () => {
    const delivery = signed();
    const sentAt = Number(delivery.timestamp) * 1000;
    expect((await deliver(delivery)).status).toBe(202);

    travelTo(sentAt + 4 * 60_000);
    const early = await deliver(delivery);
    expect(early.status).toBe(200);
    expect(JSON.parse(early.body).status).toBe('duplicate');

    travelTo(sentAt + 5 * 60_000 + 1_000);
    const late = await deliver(delivery);
    expect(late).toMatchObject({ status: 401, writes: 0 });
    // Re-stamping the captured request does not help: the timestamp is signed.
    const restamped = await deliver({ ...delivery, timestamp: String(Math.floor(Date.now() / 1000)) });
    expect(restamped).toMatchObject({ status: 401, writes: 0 });
    vi.useRealTimers();
    expect(await storedCount(world.victim.orgId, conversionIdOf(delivery))).toBe(1);
  });

  it('a delivery stamped in the future beyond the tolerance is refused', async () => {
    const delivery = signed({ at: Date.now() + 6 * 60_000 });
    expect(await deliver(delivery)).toMatchObject({ status: 401, writes: 0 });
  });

  it('the same signature under another webhook-id is refused (the id is signed)', async () => {
    const delivery = signed();
    expect(await deliver({ ...delivery, webhookId: `${delivery.webhookId}-2` })).toMatchObject({ status: 401, writes: 0 });
  });

  it('the same webhook-id with a new, validly signed body is a duplicate and stores nothing new', async () => {
    const first = signed();
    expect((await deliver(first)).status).toBe(202);
    const second = signed({ webhookId: first.webhookId, body: conversionBody(`other-${sequence}`) });
    const answer = await deliver(second);
    expect(answer.status).toBe(200);
    expect(await storedCount(world.victim.orgId, conversionIdOf(second))).toBe(0);
  });
});

describe('secret rotation', () => {
  it('a rotated-out secret verifies for 24 hours and not a moment longer', async () => {
    const rotatedAt = Date.now();
    const rotation = await world.call('POST', `/v1/webhook-sources/${world.attacker.sourceId}/rotate`, { token: world.attacker.adminKey });
    expect(rotation.status).toBe(200);
    const oldSecret = world.attacker.sourceSecret;
    const newSecret = rotation.json.secret as string;
    const as = (secret: string) => signed({ secret, sourceId: world.attacker.sourceId });

    // The clock-injectable lookup: the old secret is offered until its validUntil only.
    const offered = async (at: number) => (await verificationSecrets(world.attacker.sourceId, { now: new Date(at), fresh: true }))!.secrets;
    expect(await offered(rotatedAt + 24 * HOUR - 60_000)).toEqual(expect.arrayContaining([oldSecret, newSecret]));
    expect(await offered(rotatedAt + 24 * HOUR + 60_000)).toEqual([newSecret]);

    // And end to end through the handler.
    expect((await deliver(as(oldSecret))).status).toBe(202);
    travelTo(rotatedAt + 24 * HOUR - 60_000);
    expect((await deliver(as(oldSecret))).status).toBe(202);
    travelTo(rotatedAt + 24 * HOUR + 60_000);
    expect(await deliver(as(oldSecret))).toMatchObject({ status: 401, writes: 0 });
    expect((await deliver(as(newSecret))).status).toBe(202);
    vi.useRealTimers();

    // Only the latest previous secret survives a rotation: a second one retires the first at once.
    const again = await world.call('POST', `/v1/webhook-sources/${world.attacker.sourceId}/rotate`, { token: world.attacker.adminKey });
    expect(again.status).toBe(200);
    expect(await offered(Date.now())).toEqual(expect.not.arrayContaining([oldSecret]));
    expect(await deliver(as(oldSecret))).toMatchObject({ status: 401, writes: 0 });
  });

  it("another source's secret, or another organization's, opens nothing", async () => {
    const foreign = signed({ secret: world.attacker.sourceSecret });
    expect(await deliver(foreign)).toMatchObject({ status: 401, writes: 0 });
    const misrouted = signed({ sourceId: world.attacker.sourceId });
    expect(await deliver(misrouted)).toMatchObject({ status: 401, writes: 0 });
    expect(await deliver(signed({ secret: generateWebhookSecret() }))).toMatchObject({ status: 401, writes: 0 });
  });
});

describe('the signature covers the exact body', () => {
  it('a signature over a different body is refused', async () => {
    const original = signed();
    const variants = [
      Buffer.from(original.body.toString().replace('10.00', '10000.00')),
      Buffer.from(`${original.body.toString()} `),
      Buffer.from(original.body.toString().replace('{', '{ ')),
      Buffer.from(JSON.stringify(JSON.parse(original.body.toString()), null, 2)),
      original.body.subarray(0, original.body.length - 1),
      Buffer.concat([original.body, Buffer.from([0])]),
    ];
    for (const body of variants) expect(await deliver({ ...original, body })).toMatchObject({ status: 401, writes: 0 });
    expect(await storedCount(world.victim.orgId, conversionIdOf(original))).toBe(0);
  });

  it('a body that changes after verification is never the one stored', async () => {
    const genuine = signed();
    const evilBody = conversionBody(`evil-${sequence}`).toString();
    // A payload whose body reads differently the second time (as if switched mid-request).
    let reads = 0;
    const answer = await deliver(genuine, (event) => {
      const first = event.body;
      Object.defineProperty(event, 'body', { get: () => (reads++ === 0 ? first : evilBody), configurable: true });
    });
    expect([202, 401]).toContain(answer.status);
    expect(await storedCount(world.victim.orgId, `evil-${sequence}`)).toBe(0);
    if (answer.status === 202) expect(await storedCount(world.victim.orgId, conversionIdOf(genuine))).toBe(1);
  });

  it('the same bytes sent base64-encoded (non-text content type) verify the same way', async () => {
    const delivery = signed();
    const answer = await deliver(delivery, (event) => {
      event.body = delivery.body.toString('base64');
      event.isBase64Encoded = true;
    });
    expect(answer.status).toBe(202);
  });

  it('tampering with any part of a signed delivery is never accepted (property)', async () => {
    type Tamper = (d: Delivery) => Delivery;
    const flipBit = (buffer: Buffer, index: number, bit: number) => {
      const copy = Buffer.from(buffer);
      copy[index % copy.length] ^= 1 << bit;
      return copy;
    };
    const tampers: fc.Arbitrary<[string, Tamper]> = fc.oneof(
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([i, b]): [string, Tamper] => ['body bit', (d) => ({ ...d, body: flipBit(d.body, i, b) })]),
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 5 })).map(([i, b]): [string, Tamper] => [
        'signature bit',
        (d) => {
          const raw = Buffer.from(d.signature.slice(3), 'base64');
          return { ...d, signature: `v1,${flipBit(raw, i, b).toString('base64')}` };
        },
      ]),
      fc.integer({ min: 301, max: 100_000 }).map((s): [string, Tamper] => ['stale timestamp', (d) => ({ ...d, timestamp: String(Number(d.timestamp) - s) })]),
      fc.integer({ min: 1, max: 299 }).map((s): [string, Tamper] => ['re-stamped', (d) => ({ ...d, timestamp: String(Number(d.timestamp) - s) })]),
      fc.string({ minLength: 1, maxLength: 8 }).map((x): [string, Tamper] => ['id changed', (d) => ({ ...d, webhookId: d.webhookId + x })]),
      fc.constantFrom<[string, Tamper]>(
        ['v0 scheme', (d) => ({ ...d, signature: d.signature.replace('v1,', 'v0,') })],
        ['v1a scheme', (d) => ({ ...d, signature: d.signature.replace('v1,', 'v1a,') })],
        ['no signature', (d) => ({ ...d, signature: '' })],
        ['signature without scheme', (d) => ({ ...d, signature: d.signature.slice(3) })],
        ['hex signature', (d) => ({ ...d, signature: `v1,${Buffer.from(d.signature.slice(3), 'base64').toString('hex')}` })],
        ['truncated signature', (d) => ({ ...d, signature: d.signature.slice(0, -4) })],
        ['timestamp in ms', (d) => ({ ...d, timestamp: `${d.timestamp}000` })],
        ['timestamp padded', (d) => ({ ...d, timestamp: `0${d.timestamp}` })],
        ['empty body', (d) => ({ ...d, body: Buffer.alloc(0) })],
        ['other source', (d) => ({ ...d, sourceId: world.attacker.sourceId })],
        ['unknown source', (d) => ({ ...d, sourceId: 'src_00000000000000000000' })],
      ),
    );
    await fc.assert(
      fc.asyncProperty(tampers, fc.boolean(), async ([name, tamper], alsoGenuine) => {
        const genuine = signed();
        const tampered = tamper(genuine);
        // 're-stamped' keeps a fresh timestamp but breaks the signature: refused like the rest.
        const answer = await deliver(tampered);
        if (answer.status === 202 || answer.writes > 0) throw new Error(`${name} was accepted`);
        expect(answer.status, name).toBeGreaterThanOrEqual(400);
        expect(answer.status, name).toBeLessThan(500);
        if (alsoGenuine) expect((await deliver(genuine)).status).toBe(202);
      }),
      { numRuns: 300 },
    );
  });
});

describe('1,000 concurrent duplicates', () => {
  it('one delivery is accepted, 999 are duplicates, one event is stored', async () => {
    const body = conversionBody(`burst-${Date.now()}`);
    const sameId = signed({ body });
    const deliveries = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? sameId : signed({ body })));
    // A thousand invocations at once in this one process: the function timeout would measure
    // this machine (on AWS they run in separate containers), so it is not enforced here.
    const burstGateway = createInProcessGateway({ enforceTimeouts: false });
    const answers = await Promise.all(deliveries.map((d) => deliver(d, undefined, burstGateway)));
    const statuses = answers.reduce<Record<number, number>>((count, a) => ({ ...count, [a.status]: (count[a.status] ?? 0) + 1 }), {});
    expect(statuses).toEqual({ 202: 1, 200: 999 });
    expect(answers.filter((a) => a.status === 200).every((a) => JSON.parse(a.body).status === 'duplicate')).toBe(true);
    expect(await storedCount(world.victim.orgId, conversionIdOf(sameId))).toBe(1);
  }, 120_000);
});

describe('after every attack above', () => {
  it('the roll-ups count each accepted conversion exactly once', async () => {
    const { startStreamPoller } = await import('../../infra/local/stream-poller.js');
    const { handler } = await import('../../functions/rollup.js');
    const poller = await startStreamPoller({
      endpoint: process.env.DYNAMODB_ENDPOINT!,
      tableName: tableName('events'),
      handler,
      settings: { maxBatchingWindowSeconds: 0 },
      quiet: true,
    });
    try {
      await poller.drain({ timeoutMs: 60_000 });
      expect(poller.deadLetters()).toEqual([]);
    } finally {
      await poller.stop();
    }
    // None of these conversions names a click: each is counted as unattributed, once.
    for (const tenant of [world.victim, world.attacker]) {
      const report = await world.call('GET', '/v1/conversions/unattributed', { token: tenant.adminKey });
      expect(report.json.conversions, tenant.orgId).toBe(acceptedBySource.get(tenant.sourceId) ?? 0);
    }
  }, 120_000);
});
