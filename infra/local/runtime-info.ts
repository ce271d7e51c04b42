/** `<DATA_DIR>/runtime.json`: how the admin CLI finds a running local system. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RuntimeInfo {
  baseUrl: string;
  dynamodbEndpoint: string;
  tableEnv: Record<string, string>;
  pid: number;
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
