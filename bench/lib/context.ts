/** What every scenario gets, and what it gives back for the report. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BenchOptions } from './options.js';
import type { World } from './world.js';

export interface BenchContext {
  dynamodbEndpoint: string;
  /** DynamoDB Local's Java process (for its CPU time). */
  dynamodbPid: number;
  world: World;
  options: BenchOptions;
  /** The document client of this (the load-generating) process. */
  client: DynamoDBDocumentClient;
  log(message: string): void;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  /** null: informational, no target. */
  met: boolean | null;
}

export interface ResultTable {
  caption?: string;
  headers: string[];
  rows: Array<Array<string | number>>;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** What was measured and how, in a sentence or two. */
  method: string;
  targets: TargetCheck[];
  tables: ResultTable[];
  notes: string[];
  /** Raw figures for bench/results/<date>.json (and for issue 7's capacity counts later). */
  data: Record<string, unknown>;
  seconds?: number;
}

export type Scenario = (context: BenchContext) => Promise<ScenarioResult>;

export const formatNumber = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) : 'n/a';

export const formatRange = (summary: { median: number; min: number; max: number }, digits = 1, unit = ''): string =>
  `${formatNumber(summary.median, digits)}${unit} (${formatNumber(summary.min, digits)}–${formatNumber(summary.max, digits)})`;

export const kilobytes = (bytes: number): string => `${formatNumber(bytes / 1024, 1)} KB`;
