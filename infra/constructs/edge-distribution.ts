import { CfnResource, Duration, Fn, type CfnCondition } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { edge } from '../definitions.js';

export interface EdgeDistributionProps {
  /** The HTTP API's invoke URL (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  readonly apiUrl: string;
  /**
   * The redirect's function: behind the CDN it is reached through its function URL (IAM auth,
   * signed by CloudFront's origin access control), not through the HTTP API.
   */
  readonly redirectFunction: lambda.IFunction;
  /** The deployment's default short domain (`go.example.com`), served by the default tenant. */
  readonly defaultDomain: string;
  /** ARN of the ACM certificate (us-east-1) covering `defaultDomain`. */
  readonly certificateArn: string;
  /** infra/definitions.ts `edge`. */
  readonly settings: typeof edge;
  /**
   * Every resource of the CDN is created only when this holds (the domain and its certificate
   * are given): without them the stack deploys as before, the API on its own URL.
   */
  readonly condition?: CfnCondition;
}

/**
 * The viewer-request function: copies the Host the viewer asked for into `x-forwarded-host`,
 * overwriting whatever the viewer sent under that name, so the origin (which gets its own Host)
 * learns the short domain and a client cannot pose as another through the CDN.
 * cloudfront-js-2.0; tests/unit/forwarded-host-function.test.ts runs it.
 */
export const forwardedHostFunctionCode = (header: string): string => `function handler(event) {
  var request = event.request;
  var host = request.headers.host;
  if (host && host.value) request.headers['${header}'] = { value: host.value };
  else delete request.headers['${header}'];
  return request;
}`;

/**
 * CloudFront in front of the HTTP API and the redirect's function URL as a multi-tenant distribution (connection mode
 * `tenant-only`): its configuration is shared by every short domain; the deployment's default
 * domain is one distribution tenant (created here), each organization's verified domain another
 * (created by the operator, docs/operations.md "Add and verify a domain"). Tenants reach the
 * viewers through one connection group, whose routing endpoint is the CNAME target of every
 * short domain.
 *
 * Behaviours: `/v1/*` (API and webhooks) every method, every header but Host, never cached;
 * pages and `/openapi.json` cached and revalidated by ETag; `/healthz` GET/HEAD to the API, never
 * cached; everything else (the redirect) GET/HEAD, never cached, to the redirect's function URL
 * with exactly the headers a click is decided by — no API Gateway request per click
 * (docs/scaling.md, "The CDN and the redirect's origin"). The viewer's country
 * (`CloudFront-Viewer-Country`) and Host (`x-forwarded-host`) reach the redirect; every answer
 * carries HSTS.
 */
export class EdgeDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly connectionGroup: cloudfront.CfnConnectionGroup;
  readonly defaultTenant: cloudfront.CfnDistributionTenant;
  readonly forwardedHostFunction: cloudfront.Function;
  readonly redirectUrl: lambda.FunctionUrl;
  readonly pageCachePolicy: cloudfront.CachePolicy;
  readonly redirectRequestPolicy: cloudfront.OriginRequestPolicy;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: EdgeDistributionProps) {
    super(scope, id);
    const s = props.settings;

    // The invoke URL's host; API Gateway answers 403 to any other Host, hence the managed
    // AllViewerExceptHostHeader policy below and the viewer's Host in its own header.
    const apiHost = Fn.select(2, Fn.split('/', props.apiUrl));
    const api = new origins.HttpOrigin(apiHost, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });

    // AWS_IAM: only requests signed by this distribution's origin access control are invoked
    // (the origin adds the resource policy naming the distribution); called directly, the URL
    // answers 403. The redirect stays on the HTTP API too, for deployments without the CDN.
    this.redirectUrl = new lambda.FunctionUrl(this, 'RedirectUrl', {
      function: props.redirectFunction,
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
    });
    const redirect = origins.FunctionUrlOrigin.withOriginAccessControl(this.redirectUrl, {
      // The redirect's own timeout is 5 s; CloudFront's default 30 s would hold a viewer longer.
      readTimeout: Duration.seconds(s.redirectOriginReadTimeoutSeconds),
    });

    this.forwardedHostFunction = new cloudfront.Function(this, 'ForwardedHost', {
      comment: `Viewer Host -> ${s.forwardedHostHeader}`,
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(forwardedHostFunctionCode(s.forwardedHostHeader)),
    });
    const functionAssociations = [{ function: this.forwardedHostFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }];

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'Hsts', {
      comment: 'HSTS on every answer of every short domain',
      securityHeadersBehavior: {
        // Not includeSubdomains: an organization's short domain is a subdomain of theirs, and
        // what lies under it is not ours to pin.
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(s.hstsMaxAgeSeconds), includeSubdomains: false, override: true },
        contentTypeOptions: { override: false },
      },
    });

    this.pageCachePolicy = new cloudfront.CachePolicy(this, 'Pages', {
      comment: 'Static pages and the OpenAPI document: held briefly, revalidated by ETag',
      minTtl: Duration.seconds(s.pageTtlSeconds.min),
      defaultTtl: Duration.seconds(s.pageTtlSeconds.default),
      maxTtl: Duration.seconds(s.pageTtlSeconds.max),
      // The same bytes for everyone: nothing from the request in the key.
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const uncached = {
      origin: api,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Every viewer header but Host (Authorization, webhook signatures, cookies, user agent,
      // referrer) and every query string and cookie.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.responseHeadersPolicy,
      functionAssociations,
    };
    // The redirect gets exactly the headers a click is decided by (shared/application/record-click.ts),
    // the viewer's country among them: an allow-list is the documented way to have CloudFront add
    // one of its own headers, and it keeps Host out (the function URL answers only to its own).
    this.redirectRequestPolicy = new cloudfront.OriginRequestPolicy(this, 'Redirect', {
      comment: 'The redirect: the headers a click is decided by, the viewer country, every cookie and query string',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...s.redirectHeaders),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.all(),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
    });
    const page: cloudfront.BehaviorOptions = {
      origin: api,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: this.pageCachePolicy,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Short links: redirects, pages and the API behind every short domain',
      defaultBehavior: {
        ...uncached,
        origin: redirect,
        originRequestPolicy: this.redirectRequestPolicy,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      },
      additionalBehaviors: {
        ...Object.fromEntries(s.apiPaths.map((path) => [path, { ...uncached, allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL }])),
        ...Object.fromEntries(s.apiGetPaths.map((path) => [path, { ...uncached, allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD }])),
        ...Object.fromEntries(s.cachedPaths.map((path) => [path, page])),
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });

    // Multi-tenant: the L2 construct does not model it yet. Domains, IPv6 and the price class
    // belong to the connection group and the tenants, not to the distribution; the certificate
    // here is the default one tenants inherit.
    const cfn = this.distribution.node.defaultChild as cloudfront.CfnDistribution;
    cfn.addPropertyOverride('DistributionConfig.ConnectionMode', 'tenant-only');
    cfn.addPropertyDeletionOverride('DistributionConfig.IPV6Enabled');
    cfn.addPropertyDeletionOverride('DistributionConfig.PriceClass');
    cfn.addPropertyOverride('DistributionConfig.ViewerCertificate', {
      AcmCertificateArn: props.certificateArn,
      SslSupportMethod: 'sni-only',
      MinimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    });

    this.connectionGroup = new cloudfront.CfnConnectionGroup(this, 'ConnectionGroup', {
      name: Fn.join('-', [Fn.ref('AWS::StackName'), 'short-domains']),
      enabled: true,
      ipv6Enabled: true,
    });

    this.defaultTenant = new cloudfront.CfnDistributionTenant(this, 'DefaultTenant', {
      name: Fn.join('-', [Fn.ref('AWS::StackName'), 'default']),
      distributionId: this.distribution.distributionId,
      connectionGroupId: this.connectionGroup.attrId,
      domains: [props.defaultDomain],
      enabled: true,
      customizations: { certificate: { arn: props.certificateArn } },
    });

    if (props.condition) {
      for (const child of this.node.findAll()) {
        if (child instanceof CfnResource) child.cfnOptions.condition = props.condition;
      }
    }

    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Short links are shared worldwide by design; restricting countries would break links posted publicly.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF by default: the API authenticates every /v1 call, webhooks are signed, API Gateway throttles the API, and ' +
          "the redirect's concurrency is capped by scaling.reservedConcurrency when set (docs/scaling.md); " +
          'a web ACL costs a fixed monthly fee plus per request and is an operator choice (docs/operations.md), attached per tenant or here.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Every request that reaches the HTTP API is in its access log (JSON, no IPs, no headers); the redirect (its function URL) is ' +
          'counted by its Lambda invocations and ClickNotRecorded; edge hits are only static pages. CloudFront standard logs would add ' +
          'the viewer IP of every click, which the product does not keep (spec section 3).',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The viewer certificate is set by property override (multi-tenant distributions take no aliases): an ACM certificate, ' +
          'SNI, TLSv1.2_2021 minimum; tests/infra/edge.test.ts asserts it.',
      },
    ]);
  }
}
