/** `npm start` flags and the handlers' environment, without starting anything. */
import { describe, expect, it } from 'vitest';
import { handlerEnvironment } from '../../infra/local/environment.js';
import { parseStartOptions } from '../../infra/local/options.js';

describe('parseStartOptions', () => {
  it('defaults to one process with every role, and reads --role and --workers', () => {
    expect(parseStartOptions([], {})).toMatchObject({ role: 'all', workers: 1, port: 3000, dataDir: '.data/', inMemory: false });
    expect(parseStartOptions(['--role', 'api', '--workers', '2'], { PORT: '0' })).toMatchObject({ role: 'api', workers: 2, port: 0 });
    expect(parseStartOptions(['--role', 'consumer'], { DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toMatchObject({
      role: 'consumer',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
    });
    expect(parseStartOptions(['--help'], {})).toBe('help');
  });

  it('rejects an unknown role, a bad worker count, and workers for the consumer', () => {
    expect(() => parseStartOptions(['--role', 'web'], {})).toThrow(/Invalid role: web/);
    expect(() => parseStartOptions(['--workers', '0'], {})).toThrow(/Invalid number of workers/);
    expect(() => parseStartOptions(['--workers', '1.5'], {})).toThrow(/Invalid number of workers/);
    expect(() => parseStartOptions(['--role', 'consumer', '--workers', '2'], {})).toThrow(/consumer runs once/);
  });
});

describe('handlerEnvironment', () => {
  const input = {
    region: 'eu-central-1',
    secretsKey: () => 'generated-key',
    dynamodbEndpoint: 'http://127.0.0.1:8000',
    tableEnv: { TABLE_ENTITIES: 'advocacy-entities' },
  };

  it('gives the handlers what the stack gives them, with defaults only where the parent has nothing', () => {
    const environment = handlerEnvironment({
      ...input,
      base: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
      issuer: { issuer: 'https://issuer.local', audience: 'advocacy' },
      publicBaseUrl: 'http://127.0.0.1:3000',
      jwksUrl: 'http://127.0.0.1:3000/.well-known/jwks.json',
    });
    expect(environment).toMatchObject({
      AWS_REGION: 'eu-central-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      TABLE_ENTITIES: 'advocacy-entities',
      LOCAL_SECRETS_KEY: 'generated-key',
      JWT_ISSUER: 'https://issuer.local',
      JWT_AUDIENCE: 'advocacy',
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      JWKS_URL: 'http://127.0.0.1:3000/.well-known/jwks.json',
    });
    expect(environment).not.toHaveProperty('POWERTOOLS_LOG_LEVEL');
  });

  it('keeps the parent’s secrets key without reading a new one, and lets explicit settings win', () => {
    let read = false;
    const environment = handlerEnvironment({
      ...input,
      secretsKey: () => {
        read = true;
        return 'generated-key';
      },
      base: { LOCAL_SECRETS_KEY: 'parent-key' },
      overrides: { DYNAMODB_ENDPOINT: 'http://elsewhere:8000', PUBLIC_BASE_URL: 'https://short.example' },
      publicBaseUrl: 'http://127.0.0.1:3000',
    });
    expect(read).toBe(false);
    expect(environment).not.toHaveProperty('LOCAL_SECRETS_KEY');
    expect(environment).toMatchObject({ DYNAMODB_ENDPOINT: 'http://elsewhere:8000', PUBLIC_BASE_URL: 'https://short.example' });
    expect(environment).not.toHaveProperty('JWKS_URL');
  });
});
