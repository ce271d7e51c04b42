/**
 * The environment the functions see, as the CDK stack gives it to them on AWS. Handler modules
 * (shared/adapters/config.ts, the adapters) read `process.env`, so a process that runs handlers needs
 * this environment there. It is computed here as a plain record, without touching
 * `process.env`; then either
 * - given to a child process at spawn (`npm start -- --workers N`: each API worker), or
 * - applied once by `applyHandlerEnvironment` in the process that hosts the handlers (the
 *   in-process runtime of `npm start` and of the tests), before the first handler runs.
 * Node caches handler modules per process, so one process hosts one runtime's handlers at a time.
 */
export interface HandlerEnvironmentInput {
  /** The environment the runtime started in (defaults apply only where it has nothing). */
  base: NodeJS.ProcessEnv;
  region: string;
  /** Stands in for KMS; read only when `base` has no LOCAL_SECRETS_KEY (it may create a file). */
  secretsKey: () => string;
  dynamodbEndpoint: string;
  /** `TABLE_ENTITIES` etc. */
  tableEnv: Record<string, string>;
  issuer?: { issuer: string; audience: string };
  publicBaseUrl?: string;
  jwksUrl?: string;
  /** The exports' directory store (shared/adapters/export-store.ts). */
  exportsDir?: string;
  /** Explicit settings; they win over everything else. */
  overrides?: Record<string, string>;
}

/** Defaults that make the handlers behave well outside Lambda. */
const lambdaLikeDefaults = (region: string): Record<string, string> => ({
  AWS_REGION: region,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_SERVICE_NAME: 'advocacy',
  POWERTOOLS_METRICS_NAMESPACE: 'advocacy',
  // Pretty logs, and no EMF metric blobs on stdout (set POWERTOOLS_METRICS_DISABLED=false to see them).
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  // Per-request INFO logs would drown the terminal and the benchmarks.
  POWERTOOLS_LOG_LEVEL: 'WARN',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

/** The region the runtime uses: explicit override, then the environment, then eu-central-1. */
export const runtimeRegion = (base: NodeJS.ProcessEnv, overrides: Record<string, string> = {}): string =>
  overrides.AWS_REGION || base.AWS_REGION || 'eu-central-1';

/** The variables to set for the handlers (only those that differ from `base` need setting). */
export const handlerEnvironment = (input: HandlerEnvironmentInput): Record<string, string> => {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(lambdaLikeDefaults(input.region))) {
    if (!input.base[name]) environment[name] = value;
  }
  if (!input.base.LOCAL_SECRETS_KEY) environment.LOCAL_SECRETS_KEY = input.secretsKey();
  environment.DYNAMODB_ENDPOINT = input.dynamodbEndpoint;
  Object.assign(environment, input.tableEnv);
  if (input.issuer) {
    environment.JWT_ISSUER = input.issuer.issuer;
    environment.JWT_AUDIENCE = input.issuer.audience;
  }
  if (input.publicBaseUrl !== undefined) environment.PUBLIC_BASE_URL = input.publicBaseUrl;
  if (input.jwksUrl !== undefined) environment.JWKS_URL = input.jwksUrl;
  if (input.exportsDir !== undefined) environment.EXPORTS_DIR = input.exportsDir;
  return Object.assign(environment, input.overrides);
};

/**
 * The one place the local runtime writes `process.env`: handler modules read it, and run in
 * this process. Called once per runtime, before any handler is invoked.
 */
export const applyHandlerEnvironment = (environment: Record<string, string>): void => {
  Object.assign(process.env, environment);
};
