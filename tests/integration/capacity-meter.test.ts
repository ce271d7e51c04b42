/**
 * The capacity meter counts what DynamoDB (Local) reports as consumed, per operation and table:
 * the cost model and the benchmarks read these counts instead of estimating.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AsyncLocalStorage } from 'node:async_hooks';
import { capacitySnapshot, capacitySnapshotByScope, resetCapacityMeter, setCapacityScope } from '../../shared/adapters/capacity-meter.js';
import { documentClient } from '../../shared/adapters/dynamo.js';
import { tableName } from '../../shared/adapters/config.js';
import { createIsolatedTables } from '../support/tables.js';

process.env.DYNAMODB_CAPACITY_METER = '1';

describe('capacity meter', () => {
  beforeAll(async () => {
    await createIsolatedTables();
  });

  it('counts write units of puts and transactions and read units of gets, per table', async () => {
    resetCapacityMeter();
    const table = tableName('rollups');
    await documentClient().send(new PutCommand({ TableName: table, Item: { pk: 'a', sk: 'b', n: 1 } }));
    await documentClient().send(new PutCommand({ TableName: table, Item: { pk: 'a', sk: 'c', pad: 'x'.repeat(1500) } }));
    await documentClient().send(new GetCommand({ TableName: table, Key: { pk: 'a', sk: 'b' } }));
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: 't', sk: '1' } } },
          { Put: { TableName: table, Item: { pk: 't', sk: '2' } } },
          { Put: { TableName: table, Item: { pk: 't', sk: '3', pad: 'x'.repeat(1500) } } },
        ],
      }),
    );
    const counts = capacitySnapshot();
    // 1 WCU for a small item, 2 for a 1.5 KB one.
    expect(counts[`PutItem ${table}`]).toEqual({ calls: 2, readUnits: 0, writeUnits: 3 });
    expect(counts[`GetItem ${table}`]).toMatchObject({ calls: 1, writeUnits: 0 });
    expect(counts[`GetItem ${table}`].readUnits).toBeGreaterThan(0);
    // Transactions are billed 2 units per KB of each item: 2 + 2 + 4 (computed: DynamoDB Local
    // reports 4 for the whole call, 2 × its largest item).
    expect(counts[`TransactWriteItems ${table}`]).toMatchObject({ calls: 1, readUnits: 0, writeUnits: 8 });
  });

  it('keeps each scope\'s counts apart (the function whose invocation made the call) and the total of all', async () => {
    resetCapacityMeter();
    const table = tableName('rollups');
    const invoking = new AsyncLocalStorage<string>();
    setCapacityScope(() => invoking.getStore());
    try {
      await invoking.run('redirect', () => documentClient().send(new PutCommand({ TableName: table, Item: { pk: 's', sk: '1' } })));
      await invoking.run('rollup', async () => {
        await documentClient().send(new PutCommand({ TableName: table, Item: { pk: 's', sk: '2' } }));
        await documentClient().send(new PutCommand({ TableName: table, Item: { pk: 's', sk: '3', pad: 'x'.repeat(1500) } }));
      });
      // Outside any scope: in the total only.
      await documentClient().send(new PutCommand({ TableName: table, Item: { pk: 's', sk: '4' } }));
    } finally {
      setCapacityScope(() => undefined);
    }
    const byScope = capacitySnapshotByScope();
    expect(Object.keys(byScope).sort()).toEqual(['redirect', 'rollup']);
    expect(byScope.redirect[`PutItem ${table}`]).toEqual({ calls: 1, readUnits: 0, writeUnits: 1 });
    expect(byScope.rollup[`PutItem ${table}`]).toEqual({ calls: 2, readUnits: 0, writeUnits: 3 });
    expect(capacitySnapshot()[`PutItem ${table}`]).toEqual({ calls: 4, readUnits: 0, writeUnits: 5 });
    resetCapacityMeter();
    expect(capacitySnapshotByScope()).toEqual({});
  });
});
