import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { routeKey, type RouteDefinition } from '../../shared/contract/routes.js';
import { deploymentLogRetention } from './log-retention.js';

export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface TrackingApiProps {
  /** infra/definitions.ts `routes`. */
  readonly routes: RouteDefinition[];
  /** The handler of each route, by the route's `function` id. */
  readonly handlers: Record<string, lambda.IFunction>;
  /** The one Lambda authorizer in front of every `auth: 'authorizer'` route. */
  readonly authorizer: {
    readonly fn: lambda.IFunction;
    /**
     * Identity sources (`$request.header.Authorization`). Empty: the authorizer runs on every
     * request, even without credentials, so it (not API Gateway) shapes the 401. Allowed only
     * with caching off.
     */
    readonly identitySource: readonly string[];
    readonly resultsCacheTtlSeconds: number;
    /** @default 'SIMPLE' (`{ isAuthorized, context }`) */
    readonly responseType?: 'SIMPLE' | 'IAM';
  };
  /**
   * Why each public (`auth: 'none'`) route needs no credential, by route key. Required for
   * every public route: it becomes the cdk-nag APIG4 suppression reason, so a new public route
   * cannot slip in unexplained.
   */
  readonly publicRouteReasons: Record<string, string>;
  /** Stage-wide default throttling. */
  readonly throttle: ThrottleLimits;
  /** Per-route throttling overrides, by route key (`GET /{slug}`). */
  readonly routeThrottles?: Record<string, ThrottleLimits>;
  /** @default shared/settings.ts `logRetentionDays` (the bound docs/privacy.md states) */
  readonly accessLogRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Access log line. JSON so Logs Insights can query it. Deliberately absent: request headers
 * (the Authorization header carries API keys and JWTs), the query string, the user agent and the
 * source IP (spec section 3: raw IPs are never stored).
 */
const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  error: '$context.error.message',
};

/**
 * The HTTP API: one route per definition with a payload-2.0 Lambda integration, one SIMPLE
 * Lambda authorizer, and an auto-deployed `$default` stage with JSON access logs and throttling.
 */
export class TrackingApi extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly routes: Record<string, apigwv2.HttpRoute> = {};

  constructor(scope: Construct, id: string, props: TrackingApiProps) {
    super(scope, id);

    // The stage is created below, with logs and throttling; the built-in default stage has neither.
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Employee-advocacy tracked links, clicks, conversions and attribution',
      createDefaultStage: false,
    });

    if (props.authorizer.identitySource.length === 0 && props.authorizer.resultsCacheTtlSeconds > 0) {
      throw new Error('A cached Lambda authorizer needs at least one identity source');
    }
    const authorizer = new HttpLambdaAuthorizer('Authorizer', props.authorizer.fn, {
      authorizerName: 'lambda-authorizer',
      responseTypes: [HttpLambdaResponseType[props.authorizer.responseType ?? 'SIMPLE']],
      identitySource: [...props.authorizer.identitySource],
      resultsCacheTtl: Duration.seconds(props.authorizer.resultsCacheTtlSeconds),
    });

    // One integration per function, shared by all of its routes.
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationFor = (fnId: string): HttpLambdaIntegration => {
      let integration = integrations.get(fnId);
      if (!integration) {
        const handler = props.handlers[fnId];
        if (!handler) throw new Error(`No handler for route function "${fnId}"`);
        integration = new HttpLambdaIntegration(`${fnId}Integration`, handler, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(fnId, integration);
      }
      return integration;
    };

    for (const route of props.routes) {
      const key = routeKey(route);
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrationFor(route.function),
        authorizer: route.auth === 'authorizer' ? authorizer : new apigwv2.HttpNoneAuthorizer(),
      });
      this.routes[key] = httpRoute;
      if (route.auth === 'none') {
        const reason = props.publicRouteReasons[key];
        if (!reason) throw new Error(`Public route ${key} has no reason in publicRouteReasons`);
        NagSuppressions.addResourceSuppressions(httpRoute, [
          { id: 'AwsSolutions-APIG4', reason: `${key} is public by design: ${reason}` },
        ]);
      }
    }

    // The authorizer resource exists once a route has bound it. With no identity source, omit
    // the property rather than send an empty list: "no identity source" is its absence.
    const cfnAuthorizer = this.httpApi.node.tryFindChild('Authorizer')?.node.defaultChild as
      | apigwv2.CfnAuthorizer
      | undefined;
    if (cfnAuthorizer && props.authorizer.identitySource.length === 0) {
      cfnAuthorizer.addPropertyDeletionOverride('IdentitySource');
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? deploymentLogRetention(),
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });

    // The L2 stage has no per-route settings; set them on the L1. RouteSettings is a free-form
    // JSON map in CloudFormation, hence the PascalCase keys.
    const overrides = Object.entries(props.routeThrottles ?? {});
    if (overrides.length > 0) {
      const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
      cfnStage.routeSettings = Object.fromEntries(
        overrides.map(([key, limits]) => {
          if (!this.routes[key]) throw new Error(`Route throttle for unknown route "${key}"`);
          return [key, { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit }];
        }),
      );
      // Route settings name routes by key; the routes must exist before the stage refers to them.
      for (const [key] of overrides) cfnStage.node.addDependency(this.routes[key]);
    }
  }

  /** The invoke URL of the `$default` stage (ends with `/`). */
  get url(): string {
    return this.stage.url;
  }
}
