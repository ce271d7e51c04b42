import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { AttributeType, TableDefinition, WarmThroughput } from '../definitions.js';

export interface TrackingTablesProps<Id extends string> {
  /** The table definitions (infra/definitions.ts `tables`), keyed by logical id. */
  readonly definitions: Record<Id, TableDefinition>;
  /**
   * Deletion protection on, and the tables RETAINed when the stack is deleted.
   * Off is for throw-away dev stacks only.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Pre-warmed throughput per table, applied to the table and each of its indexes
   * (infra/definitions.ts `scaling.warmThroughput`).
   * @default none: on-demand tables start at their default warm throughput
   */
  readonly warmThroughput?: Partial<Record<Id, WarmThroughput>>;
}

const attributeType = (type: AttributeType): dynamodb.AttributeType =>
  type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING;

/**
 * One DynamoDB table per definition, with the defaults every table here needs:
 * on-demand billing (traffic is bursty: a viral post means a click spike), point-in-time
 * recovery, AWS-managed KMS encryption, TTL, GSIs and a stream where the definition asks for one.
 */
export class TrackingTables<Id extends string> extends Construct {
  readonly tables: Record<Id, dynamodb.Table>;

  constructor(scope: Construct, id: string, props: TrackingTablesProps<Id>) {
    super(scope, id);
    const protect = props.deletionProtection ?? true;

    const entries = Object.entries(props.definitions) as Array<[Id, TableDefinition]>;
    this.tables = Object.fromEntries(
      entries.map(([tableId, def]) => {
        const warmThroughput = props.warmThroughput?.[tableId];
        // Physical names are left to CloudFormation (several stacks per account stay possible);
        // handlers get them through the definition's env var.
        const table = new dynamodb.Table(this, pascal(tableId), {
          partitionKey: { name: def.partitionKey.name, type: attributeType(def.partitionKey.type) },
          sortKey: def.sortKey && { name: def.sortKey.name, type: attributeType(def.sortKey.type) },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: def.pointInTimeRecovery },
          encryption: dynamodb.TableEncryption.AWS_MANAGED,
          timeToLiveAttribute: def.timeToLiveAttribute,
          stream: def.stream === 'NEW_IMAGE' ? dynamodb.StreamViewType.NEW_IMAGE : undefined,
          deletionProtection: protect,
          removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
          ...(warmThroughput ? { warmThroughput } : {}),
        });
        for (const gsi of def.globalSecondaryIndexes) {
          table.addGlobalSecondaryIndex({
            indexName: gsi.indexName,
            partitionKey: { name: gsi.partitionKey.name, type: attributeType(gsi.partitionKey.type) },
            sortKey: gsi.sortKey && { name: gsi.sortKey.name, type: attributeType(gsi.sortKey.type) },
            projectionType: dynamodb.ProjectionType.ALL,
            ...(warmThroughput ? { warmThroughput } : {}),
          });
        }
        return [tableId, table];
      }),
    ) as Record<Id, dynamodb.Table>;
  }
}

/** `apiKeys` → `ApiKeys`: construct ids read like CloudFormation logical ids. */
export const pascal = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);
