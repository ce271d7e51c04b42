/**
 * AWS list prices the cost model uses: one Region (us-east-1, US East (N. Virginia), the usual
 * list-price reference), on-demand, no free tier, no Savings Plans, no volume tiers beyond the
 * first. Every price is cited: the AWS pricing page it is published on, the date it was taken,
 * and whether the stored documentation this repository's tooling could search shows the number
 * (`corpus`) or it is the well-known published list price from the public page (`public page`:
 * this machine has no internet, so those were not re-read live — check the page before quoting).
 */

export interface Price {
  /** US dollars per `unit`. */
  usd: number;
  unit: string;
  source: string;
  takenOn: string;
  /** Where the number itself was read. */
  evidence: string;
}

const TAKEN_ON = '2026-11-27';
const TAKEN_ON_CDN = '2026-12-05';
const TAKEN_ON_ARCHIVE = '2026-12-05';

export const region = 'us-east-1';

export const prices = {
  apiGatewayHttpRequest: {
    usd: 1.0 / 1_000_000,
    unit: 'HTTP API request (first 300 million a month; metered per 512 KB)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    takenOn: TAKEN_ON,
    evidence:
      'corpus: AWS whitepaper "Best Practices for Designing Amazon API Gateway Private APIs and Private Integration", ' +
      'Cost optimization, Table 4 (docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html): ' +
      'HTTP API calls us-east-1, first 300 million $1.00 per million, 300+ million $0.90',
  },
  lambdaRequest: {
    usd: 0.2 / 1_000_000,
    unit: 'Lambda invocation',
    source: 'https://aws.amazon.com/lambda/pricing/',
    takenOn: TAKEN_ON,
    evidence: 'public page: $0.20 per million requests (x86 and arm64 alike); not stated in the stored corpus',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second of arm64 compute (first 7.5 billion GB-s a month)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    takenOn: TAKEN_ON,
    evidence:
      'public page; the same figure is in the stored corpus as a price table derived from that page ' +
      '(artillery 2.0.28, lib/platform/aws-lambda/prices.js: arm64 base 1333340 × 10⁻¹¹ $/GB-s)',
  },
  dynamoWriteRequestUnit: {
    usd: 0.625 / 1_000_000,
    unit: 'on-demand write request unit (1 KB standard write; 2 per transactional write)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    takenOn: TAKEN_ON,
    evidence:
      'public page ($0.625 per million, since the 1 November 2024 on-demand price cut); the stored copy of the page defines the unit ' +
      'but shows no number; a stored secondary source states the same (airbyte.com/data-engineering-resources/dynamodb-pricing)',
  },
  dynamoReadRequestUnit: {
    usd: 0.125 / 1_000_000,
    unit: 'on-demand read request unit (4 KB strongly consistent; ½ eventually consistent)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    takenOn: TAKEN_ON,
    evidence: 'public page ($0.125 per million); secondary source as for write request units',
  },
  dynamoStorageGbMonth: {
    usd: 0.25,
    unit: 'GB-month of table and index storage (Standard table class; items + 100 B each)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    takenOn: TAKEN_ON,
    evidence: 'public page ($0.25 per GB-month after the first 25 GB free each month, not applied here); not stated in the stored corpus',
  },
  dynamoPitrGbMonth: {
    usd: 0.2,
    unit: 'GB-month of continuous backup (point-in-time recovery, on for every table of the stack)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    takenOn: TAKEN_ON,
    evidence: 'public page ($0.20 per GB-month of table size); not stated in the stored corpus',
  },
  dynamoStreamsReadRequest: {
    usd: 0,
    unit: 'streams read request (GetRecords) made by a Lambda event source mapping',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    takenOn: TAKEN_ON,
    evidence:
      'corpus: DynamoDB Developer Guide, "Evaluate your DynamoDB Streams usage" (docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html): ' +
      'read requests made by AWS Lambda-based consumers are free (other consumers: $0.02 per 100,000 streams read request units, public page)',
  },
  cloudFrontHttpsRequest: {
    usd: 0.01 / 10_000,
    unit: 'CloudFront HTTPS request (United States and Europe; every short link, webhook and API call passes the CDN)',
    source: 'https://aws.amazon.com/cloudfront/pricing/',
    takenOn: TAKEN_ON_CDN,
    evidence:
      'secondary sources in the stored corpus: $0.0100 per 10,000 HTTPS requests, North America and Europe ' +
      '(wring.co/blog/aws-cloudfront-pricing-guide; kindatechnical.com, CloudFront pricing lesson); the stored copy of the AWS page ' +
      'as read here covers data transfer, not requests. Always-free tier (10 million requests a month) not applied',
  },
  cloudFrontFunctionInvocation: {
    usd: 0.1 / 1_000_000,
    unit: 'CloudFront Functions invocation (the viewer-request function that forwards the Host, on every uncached request)',
    source: 'https://aws.amazon.com/cloudfront/pricing/',
    takenOn: TAKEN_ON_CDN,
    evidence: 'corpus: cur.vantage.sh/aws/amazoncloudfront (Executions-CloudFrontFunctions: $0.10 per 1 million invocations); the same on the public page',
  },
  cloudFrontDataTransferGb: {
    usd: 0.085,
    unit: 'GB of CloudFront data transfer out to the internet (first 10 TB a month, United States and Europe; origin fetches from AWS origins free)',
    source: 'https://aws.amazon.com/cloudfront/pricing/',
    takenOn: TAKEN_ON_CDN,
    evidence:
      'corpus: stored copy of aws.amazon.com/cloudfront/pricing, "Regional Data Transfer Out to Internet (per GB)": First 10TB $0.085 ' +
      '(United States, Mexico, and Canada; Europe, Israel, and Türkiye), and "Free for origin fetches from any AWS origin"',
  },
  s3StorageGbMonth: {
    usd: 0.023,
    unit: 'GB-month of S3 Standard storage (first 50 TB a month; the Parquet archive of raw events)',
    source: 'https://aws.amazon.com/s3/pricing/',
    takenOn: TAKEN_ON_ARCHIVE,
    evidence: 'secondary source in the stored corpus: cloudburn.io/blog/amazon-s3-pricing ("S3 Standard costs $0.023/GB/month", US East (N. Virginia), March 2026)',
  },
  s3PutRequest: {
    usd: 0.005 / 1_000,
    unit: 'S3 PUT, COPY, POST or LIST request (one archive file written; one listing)',
    source: 'https://aws.amazon.com/s3/pricing/',
    takenOn: TAKEN_ON_ARCHIVE,
    evidence:
      'public page ($0.005 per 1,000 PUT, COPY, POST, LIST requests, S3 Standard); the stored corpus states the same tier for LIST ' +
      '(athena.guide/articles/athena-basics-pricing-model: "list operations actually cost $5 per million")',
  },
  s3GetRequest: {
    usd: 0.0004 / 1_000,
    unit: 'S3 GET or SELECT request (a query engine reading an archive file)',
    source: 'https://aws.amazon.com/s3/pricing/',
    takenOn: TAKEN_ON_ARCHIVE,
    evidence: 'corpus: athena.guide/articles/athena-basics-pricing-model ("get operations $0.4 per million (in most regions)"); the same on the public page',
  },
  athenaTbScanned: {
    usd: 5,
    unit: 'TB scanned by an Athena SQL query (rounded up to the MB, 10 MB minimum per query)',
    source: 'https://aws.amazon.com/athena/pricing/',
    takenOn: TAKEN_ON_ARCHIVE,
    evidence:
      'corpus: athena.guide/articles/athena-basics-pricing-model ("a flat $5 per TB of data scanned, rounded to the nearest MB, with a 10 MB minimum"); ' +
      'kindatechnical.com, Athena pricing lesson ("$5.00 per terabyte scanned")',
  },
  sqsRequest: {
    usd: 0.4 / 1_000_000,
    unit: 'SQS standard queue request (64 KB chunk; the dead-letter queue)',
    source: 'https://aws.amazon.com/sqs/pricing/',
    takenOn: TAKEN_ON,
    evidence: 'public page ($0.40 per million after the first million a month); not stated in the stored corpus',
  },
} as const satisfies Record<string, Price>;

export type PriceId = keyof typeof prices;
export type PriceTable = Record<PriceId, Price>;
