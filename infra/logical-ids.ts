/**
 * The CloudFormation logical ids of the stack's stateful resources, pinned. Generated ids follow
 * construct paths, and a changed id replaces the resource: a renamed construct would give a new,
 * empty table (the old one retained but orphaned), a new KMS key (secrets sealed with the old one
 * unreadable) or a new dead-letter queue (failed batches left behind). These are the ids the
 * stack was first deployed with; tests/infra/stack.test.ts repeats them, so changing one is an
 * edit of both, made on purpose (with a data migration).
 */
import type { TableId } from '../shared/settings.js';

export const statefulLogicalIds = {
  tables: {
    entities: 'TablesEntitiesBC6B9C5A',
    events: 'TablesEventsE8DD42EA',
    rollups: 'TablesRollupsBE40FD10',
  } satisfies Record<TableId, string>,
  webhookSecretsKey: 'WebhookSecretsKey5C1E05FC',
  rollupDeadLetterQueue: 'RollupConsumerDeadLetterQueueE2267C55',
  archiveDeadLetterQueue: 'ArchiveConsumerDeadLetterQueue',
  archiveBucket: 'HistoryArchiveBucket',
} as const;
