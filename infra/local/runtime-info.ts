/** `<DATA_DIR>/runtime.json`: how the admin CLI finds a running local system. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from './dynamodb-local.js';

export interface RuntimeInfo {
  baseUrl: string;
  dynamodbEndpoint: string;
  tableEnv: Record<string, string>;
  pid: number;
  /** The history archive's directory (ARCHIVE_DIR), where the consumer runs in this system. */
  archiveDir?: string;
}

const fileOf = (dataDir: string) => join(dataDir, 'runtime.json');

export const writeRuntimeInfo = (dataDir: string, info: RuntimeInfo): void => {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(fileOf(dataDir), JSON.stringify(info, null, 2));
};

export const readRuntimeInfo = (dataDir: string): RuntimeInfo | undefined => {
  const file = fileOf(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo) : undefined;
};

export const removeRuntimeInfo = (dataDir: string): void => rmSync(fileOf(dataDir), { force: true });

/** Any HTTP answer will do: it only shows something listens at the recorded endpoint. */
const answers = async (url: string, timeoutMs: number): Promise<boolean> => {
  try {
    await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
};

export type RunningSystem = { running: true; info: RuntimeInfo } | { running: false; reason: string };

/**
 * The local system recorded in runtime.json, if it still runs: a runtime killed without its
 * shutdown (SIGKILL, a crash) leaves the file behind, so the recorded pid is checked, then the
 * recorded DynamoDB endpoint (a reused pid is not our runtime).
 */
export const findRunningSystem = async (dataDir: string, timeoutMs = 2000): Promise<RunningSystem> => {
  const start = 'start it with npm start';
  let info: RuntimeInfo | undefined;
  try {
    info = readRuntimeInfo(dataDir);
  } catch {
    return { running: false, reason: `no local system is running (${fileOf(dataDir)} is unreadable); ${start}` };
  }
  if (!info) return { running: false, reason: `no local system is running (no ${fileOf(dataDir)}); ${start}` };
  if (!Number.isInteger(info.pid) || !isProcessAlive(info.pid)) {
    return { running: false, reason: `no local system is running (pid ${info.pid} is gone); ${start}` };
  }
  if (!(await answers(info.dynamodbEndpoint, timeoutMs))) {
    return {
      running: false,
      reason: `no local system is running (pid ${info.pid} is alive but nothing answers at ${info.dynamodbEndpoint}); ${start}`,
    };
  }
  return { running: true, info };
};
