/**
 * Per-shard checkpoints of the stream mapping: in memory, and in a JSON file when persistent
 * (`<dataDir>/stream-checkpoints.json`), written atomically.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

export interface ShardCheckpoint {
  /** Last sequence number fully handled (delivered, filtered out or dead-lettered). */
  sequenceNumber?: string;
  /** The shard is closed and everything in it was handled. */
  finished?: boolean;
}

type CheckpointFile = Record<string, Record<string, ShardCheckpoint>>;

export class CheckpointStore {
  private data: CheckpointFile = {};
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly file: string | undefined) {}

  async load(): Promise<void> {
    if (!this.file) return;
    try {
      this.data = JSON.parse(await readFile(this.file, 'utf8')) as CheckpointFile;
    } catch {
      this.data = {}; // missing or unreadable: start over (the consumer is idempotent)
    }
  }

  get(streamArn: string, shardId: string): ShardCheckpoint | undefined {
    return this.data[streamArn]?.[shardId];
  }

  set(streamArn: string, shardId: string, checkpoint: ShardCheckpoint): void {
    (this.data[streamArn] ??= {})[shardId] = checkpoint;
    this.scheduleWrite();
  }

  /** Writes are coalesced: at most one in flight, and one more queued. */
  private scheduleWrite(): void {
    if (!this.file || this.dirty) return;
    this.dirty = true;
    const file = this.file;
    this.writing = this.writing.then(async () => {
      this.dirty = false;
      const temporary = `${file}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify(this.data));
        await rename(temporary, file);
      } catch (error) {
        console.error('[stream-poller] cannot save checkpoints:', error);
      }
    });
  }

  flush(): Promise<void> {
    return this.writing;
  }
}
