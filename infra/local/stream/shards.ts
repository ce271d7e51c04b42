/** Shard discovery and lineage: which shards exist, and in which order they are read. */
import { DescribeStreamCommand, type DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';

/** Every shard of the stream (DescribeStream pages through them). */
export const listShards = async (streams: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> => {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards;
};

/** Parents before children (a parent no longer listed does not count), otherwise as listed. */
export const orderByLineage = (shards: readonly Shard[]): Shard[] => {
  const byId = new Map(shards.map((shard) => [shard.ShardId, shard]));
  const depth = (shard: Shard): number => {
    let d = 0;
    for (let s: Shard | undefined = shard; s?.ParentShardId && byId.has(s.ParentShardId); d++) {
      s = byId.get(s.ParentShardId);
    }
    return d;
  };
  return [...shards].sort((a, b) => depth(a) - depth(b));
};

/** Shards still open: LATEST applies to these when the mapping starts; later ones start at the top. */
export const openShardIds = (shards: readonly Shard[]): Set<string> =>
  new Set(shards.filter((shard) => !shard.SequenceNumberRange?.EndingSequenceNumber).map((shard) => shard.ShardId!));
