/**
 * One load run with autocannon 9 (in this process; the servers run in child processes). Each
 * request is taken from a plan, so the product and its baseline get the same request stream.
 */
import autocannon from 'autocannon';
import { cpuSeconds } from './processes.js';

export interface PlannedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  latencyMean: number;
  responses: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
  /** CPU milliseconds per response of the server process and of DynamoDB Local (Java). */
  serverCpuMsPerResponse?: number;
  dynamodbCpuMsPerResponse?: number;
}

export const runLoad = async (options: {
  url: string;
  connections: number;
  seconds: number;
  next: () => PlannedRequest;
  /** Sees each answer with the request it answers (a browser keeping its cookies). */
  onResponse?: (status: number, headers: Record<string, string | string[]>, request: PlannedRequest) => void;
  /** Processes whose CPU time per response is reported. */
  cpuOf?: { server: number; dynamodb: number };
}): Promise<LoadResult> => {
  const cpuBefore = options.cpuOf && { server: cpuSeconds(options.cpuOf.server), dynamodb: cpuSeconds(options.cpuOf.dynamodb) };
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: [
      {
        setupRequest: (request, context) => {
          const planned = options.next();
          (context as { planned?: PlannedRequest }).planned = planned;
          return { ...request, method: planned.method, path: planned.path, headers: planned.headers, body: planned.body };
        },
        ...(options.onResponse
          ? {
              onResponse: (status: number, _body: string, context: object, headers: unknown) => {
                const planned = (context as { planned?: PlannedRequest }).planned;
                if (planned) options.onResponse!(status, headers as Record<string, string | string[]>, planned);
              },
            }
          : {}),
      },
    ],
  });
  const statusCounts: Record<string, number> = {};
  let responses = 0;
  for (const [code, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
    statusCounts[code] = count;
    responses += count;
  }
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  const cpuMs = (pid: number, before: number) => ((cpuSeconds(pid) - before) * 1000) / Math.max(1, responses);
  return {
    ...(options.cpuOf && cpuBefore
      ? {
          serverCpuMsPerResponse: cpuMs(options.cpuOf.server, cpuBefore.server),
          dynamodbCpuMsPerResponse: cpuMs(options.cpuOf.dynamodb, cpuBefore.dynamodb),
        }
      : {}),
    requestsPerSecond: responses / seconds,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMean: result.latency.average,
    responses,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
  };
};

/** Responses outside the wanted status range, plus connection errors and timeouts. */
export const unexpectedAnswers = (result: LoadResult, isWanted: (status: number) => boolean): number =>
  Object.entries(result.statusCounts).reduce((sum, [code, count]) => sum + (isWanted(Number(code)) ? 0 : count), 0) +
  result.errors;
