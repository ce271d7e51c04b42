/**
 * The CDN (infra/constructs/edge-distribution.ts) and the operations resources
 * (infra/constructs/operations-monitoring.ts) in the synthesized template: behaviours, cache,
 * origin-request and response-headers policies, the forwarded headers, the multi-tenant wiring,
 * the parameters that switch them on, the dashboard, the alarms and their topic.
 *
 * Stub code instead of bundling: nothing here reads a function's code, and tests/infra/stack.test.ts
 * covers the bundled template.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { edge, monitoring } from '../../infra/definitions.js';
import { AdvocacyStack, METRICS_NAMESPACE } from '../../infra/stack.js';
import { metricNames } from '../../shared/adapters/metric-names.js';
import { routes } from '../../shared/contract/routes.js';
import { CLICK_REQUEST_HEADERS } from '../../shared/application/record-click.js';
import { cdkJsonContext } from '../support/cdk-context.js';

type Resource = { Type: string; Properties: Record<string, any>; Condition?: string };

/** CloudFront's managed policies, by their published ids. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

let template: Template;
let resources: Record<string, Resource>;
const ofType = (type: string): Array<[string, Resource]> => Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (type: string): [string, Resource] => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0];
};

beforeAll(() => {
  const app = new App({ context: cdkJsonContext() });
  template = Template.fromStack(new AdvocacyStack(app, 'EdgeOpsStack', { skipBundling: true }));
  resources = template.toJSON().Resources;
});

describe('CDN parameters', () => {
  it('the short domain and its certificate are parameters with empty defaults: synth needs no account, a deploy without them has no CDN', () => {
    const params = template.toJSON().Parameters;
    expect(params.ShortDomain).toMatchObject({ Type: 'String', Default: '' });
    expect(params.ShortDomainCertificateArn).toMatchObject({ Type: 'String', Default: '' });
    expect(template.toJSON().Conditions.CdnEnabled).toEqual({
      'Fn::And': [
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ShortDomain' }, ''] }] },
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ShortDomainCertificateArn' }, ''] }] },
      ],
    });
    const cloudFront = Object.values(resources).filter((r) => r.Type.startsWith('AWS::CloudFront::'));
    expect(cloudFront.length).toBeGreaterThanOrEqual(6);
    for (const resource of cloudFront) expect(resource.Condition, resource.Type).toBe('CdnEnabled');
    // Nothing unconditional refers to a conditional resource (the deploy would fail without a domain).
    const conditional = new Set(Object.entries(resources).flatMap(([id, r]) => (r.Condition ? [id] : [])));
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Condition) continue;
      const text = JSON.stringify(resource);
      for (const target of conditional) expect(text.includes(`"${target}"`), `${id} refers to ${target}`).toBe(false);
    }
    for (const output of ['DistributionId', 'ShortDomainDnsTarget', 'ConnectionGroupId']) {
      expect(template.toJSON().Outputs[output].Condition, output).toBe('CdnEnabled');
    }
  });

  it('short links default to the short domain when PublicBaseUrl is empty', () => {
    const [, redirect] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'redirect')!;
    expect(redirect.Properties.Environment.Variables.PUBLIC_BASE_URL).toEqual({
      'Fn::If': ['PublicBaseUrlGiven', { Ref: 'PublicBaseUrl' }, { 'Fn::If': ['CdnEnabled', { 'Fn::Join': ['', ['https://', { Ref: 'ShortDomain' }]] }, ''] }],
    });
  });
});

describe('the distribution', () => {
  const config = () => only('AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
  const behaviour = (pattern: string) => {
    const found = config().CacheBehaviors.filter((b: { PathPattern: string }) => b.PathPattern === pattern);
    expect(found, pattern).toHaveLength(1);
    return found[0];
  };
  const functionId = () => only('AWS::CloudFront::Function')[0];
  const hstsPolicyId = () => only('AWS::CloudFront::ResponseHeadersPolicy')[0];
  const pagePolicyId = () => only('AWS::CloudFront::CachePolicy')[0];

  /** The distribution's origins: the HTTP API's invoke URL and the redirect's function URL. */
  const origin = (kind: 'api' | 'redirect') => {
    const [apiId] = only('AWS::ApiGatewayV2::Api');
    const [urlId] = only('AWS::Lambda::Url');
    const found = (config().Origins as Array<Record<string, any>>).filter((o) => JSON.stringify(o.DomainName).includes(kind === 'api' ? apiId : urlId));
    expect(found, kind).toHaveLength(1);
    return found[0];
  };

  it('is multi-tenant, in front of the HTTP API and the redirect\'s function URL over HTTPS only, with the certificate parameter and TLS 1.2 at least', () => {
    const c = config();
    expect(c.ConnectionMode).toBe('tenant-only');
    // Multi-tenant distributions take no aliases, IPv6 flag or price class: those are the tenants' and the connection group's.
    expect(c.Aliases).toBeUndefined();
    expect(c.IPV6Enabled).toBeUndefined();
    expect(c.PriceClass).toBeUndefined();
    expect(c.ViewerCertificate).toEqual({ AcmCertificateArn: { Ref: 'ShortDomainCertificateArn' }, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    expect(c.Origins).toHaveLength(2);
    for (const kind of ['api', 'redirect'] as const) {
      const o = origin(kind);
      expect(o.CustomOriginConfig, kind).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
      // The host of the URL: https://<host>/ split on "/".
      expect(o.DomainName['Fn::Select'][0], kind).toBe(2);
    }
    expect(origin('api').OriginAccessControlId).toBeUndefined();
  });

  it("the redirect's origin is its function URL: IAM auth, signed by origin access control, invocable only by this distribution", () => {
    const [urlId, url] = only('AWS::Lambda::Url');
    const [redirectFnId] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'redirect')!;
    // AWS_IAM: a request that CloudFront did not sign is refused (403) before the function runs.
    expect(url.Properties).toEqual({ AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [redirectFnId, 'Arn'] } });
    const o = origin('redirect');
    expect(o.DomainName['Fn::Select'][1]['Fn::Split'][1]).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    // A function answers within its 5 s timeout; CloudFront waits a little longer, not its default 30 s.
    expect(o.CustomOriginConfig.OriginReadTimeout).toBe(edge.redirectOriginReadTimeoutSeconds);
    expect(edge.redirectOriginReadTimeoutSeconds).toBeLessThan(30);

    const [oacId, oac] = only('AWS::CloudFront::OriginAccessControl');
    expect(o.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always', SigningProtocol: 'sigv4' });

    // Both permissions Lambda asks of a function URL's caller, for CloudFront and this distribution only.
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const sourceArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]] };
    const grants = ofType('AWS::Lambda::Permission')
      .map(([, p]) => p)
      .filter((p) => p.Properties.Principal === 'cloudfront.amazonaws.com');
    expect(grants.map((p) => p.Properties).sort((a, b) => a.Action.localeCompare(b.Action))).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [urlId, 'FunctionArn'] }, InvokedViaFunctionUrl: true, Principal: 'cloudfront.amazonaws.com', SourceArn: sourceArn },
      { Action: 'lambda:InvokeFunctionUrl', FunctionName: { 'Fn::GetAtt': [urlId, 'FunctionArn'] }, Principal: 'cloudfront.amazonaws.com', SourceArn: sourceArn },
    ]);
    // Without a short domain there is no function URL and nothing granted: the redirect stays behind the HTTP API alone.
    for (const resource of [url, oac, ...grants]) expect(resource.Condition, resource.Type).toBe('CdnEnabled');
    // The HTTP API keeps its redirect routes for direct use (no CDN, or the API's own URL).
    const apiRoutes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(apiRoutes).toEqual(expect.arrayContaining(['GET /{slug}', 'HEAD /{slug}']));
  });

  it('the redirect (default behaviour): GET/HEAD, never cached, the headers a click is decided by with the viewer country, the viewer-request function, HSTS', () => {
    const d = config().DefaultCacheBehavior;
    expect(d.TargetOriginId).toBe(origin('redirect').Id);
    // What the cost model prices as deployed (scripts/cost/model.ts reads edge.redirectOrigin).
    expect(edge.redirectOrigin).toBe('functionUrl');
    expect(d.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(d.CachePolicyId).toBe(CACHING_DISABLED);
    const [policyId, policy] = only('AWS::CloudFront::OriginRequestPolicy');
    expect(d.OriginRequestPolicyId).toEqual({ Ref: policyId });
    const policyConfig = policy.Properties.OriginRequestPolicyConfig;
    expect(policyConfig.HeadersConfig.HeaderBehavior).toBe('whitelist');
    const forwarded = (policyConfig.HeadersConfig.Headers as string[]).map((name) => name.toLowerCase()).sort();
    expect(forwarded).toEqual([...CLICK_REQUEST_HEADERS].sort());
    // The country and the viewer's host reach the redirect; the origin's own Host is never replaced.
    expect(forwarded).toEqual(expect.arrayContaining(['cloudfront-viewer-country', edge.forwardedHostHeader, 'user-agent', 'referer', 'sec-gpc']));
    expect(forwarded).not.toContain('host');
    expect(policyConfig.CookiesConfig.CookieBehavior).toBe('all');
    expect(policyConfig.QueryStringsConfig.QueryStringBehavior).toBe('all');
    expect(d.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId(), 'FunctionARN'] } }]);
    expect(d.ResponseHeadersPolicyId).toEqual({ Ref: hstsPolicyId() });
    expect(d.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('/v1/* (API and webhooks): every method, never cached, Authorization and signatures forwarded, the viewer host too', () => {
    expect(edge.apiPaths).toEqual(['/v1/*']);
    expect(routes.filter((r) => r.path.startsWith('/v1/')).length).toBeGreaterThan(0);
    const b = behaviour('/v1/*');
    expect(b.TargetOriginId).toBe(origin('api').Id);
    expect(b.AllowedMethods.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    expect(b.CachePolicyId).toBe(CACHING_DISABLED);
    expect(b.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(b.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId(), 'FunctionARN'] } }]);
    expect(b.ResponseHeadersPolicyId).toEqual({ Ref: hstsPolicyId() });
  });

  it('/healthz (the only other route outside /v1 that is not a page or the redirect): GET/HEAD to the HTTP API, never cached', () => {
    expect(edge.apiGetPaths).toEqual(['/healthz']);
    const b = behaviour('/healthz');
    expect(b.TargetOriginId).toBe(origin('api').Id);
    expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(b.CachePolicyId).toBe(CACHING_DISABLED);
    expect(b.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    // Every route outside /v1 has a behaviour, except the redirect's, which the default behaviour serves.
    const patterns = new Set(config().CacheBehaviors.map((c: { PathPattern: string }) => c.PathPattern));
    for (const route of routes.filter((r) => !r.path.startsWith('/v1/'))) {
      const pattern = route.path.replace(/\{[^}]+\}$/, '*');
      expect(patterns.has(pattern), route.path).toBe(route.function !== 'redirect');
    }
  });

  it('pages and /openapi.json: one behaviour each, GET/HEAD, cached by the page policy (nothing of the request in the key)', () => {
    // Every route of the pages and openapi functions, {file} as a wildcard.
    expect([...edge.cachedPaths].sort()).toEqual(['/assets/*', '/dashboard', '/docs', '/me', '/openapi.json', '/t.js']);
    for (const path of edge.cachedPaths) {
      const b = behaviour(path);
      expect(b.TargetOriginId, path).toBe(origin('api').Id);
      expect(b.AllowedMethods, path).toEqual(['GET', 'HEAD']);
      expect(b.CachePolicyId, path).toEqual({ Ref: pagePolicyId() });
      expect(b.OriginRequestPolicyId, path).toBeUndefined();
      expect(b.FunctionAssociations, path).toBeUndefined();
      expect(b.ResponseHeadersPolicyId, path).toEqual({ Ref: hstsPolicyId() });
    }
    // Nothing else is cached: every behaviour is either a page, the API, or never cached.
    expect(config().CacheBehaviors).toHaveLength(edge.cachedPaths.length + edge.apiPaths.length + edge.apiGetPaths.length);
  });

  it('the page cache policy holds a page at least a minute and then revalidates (ETag), compressed, keyed on the path only', () => {
    const p = resources[pagePolicyId()].Properties.CachePolicyConfig;
    expect(p).toMatchObject({ MinTTL: edge.pageTtlSeconds.min, DefaultTTL: edge.pageTtlSeconds.default, MaxTTL: edge.pageTtlSeconds.max });
    expect(p.MinTTL).toBeGreaterThan(0);
    expect(p.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      EnableAcceptEncodingGzip: true,
      EnableAcceptEncodingBrotli: true,
      HeadersConfig: { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    });
  });

  it('HSTS on every answer: two years, overriding the origin, not pinning the organization\'s other subdomains', () => {
    const sts = resources[hstsPolicyId()].Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.StrictTransportSecurity;
    expect(sts).toEqual({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: false, Override: true });
  });

  it('the viewer-request function is the one that writes x-forwarded-host', () => {
    const [, fn] = only('AWS::CloudFront::Function');
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fn.Properties.FunctionCode).toContain(`request.headers['${edge.forwardedHostHeader}']`);
    expect(edge.forwardedHostHeader).toBe('x-forwarded-host');
  });

  it('the default short domain is a tenant of the distribution, on the connection group, with the certificate', () => {
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const [groupId, group] = only('AWS::CloudFront::ConnectionGroup');
    expect(group.Properties).toMatchObject({ Enabled: true, Ipv6Enabled: true });
    const [, tenant] = only('AWS::CloudFront::DistributionTenant');
    expect(tenant.Properties).toMatchObject({
      DistributionId: { Ref: distributionId },
      ConnectionGroupId: { 'Fn::GetAtt': [groupId, 'Id'] },
      Domains: [{ Ref: 'ShortDomain' }],
      Enabled: true,
      Customizations: { Certificate: { Arn: { Ref: 'ShortDomainCertificateArn' } } },
    });
    expect(template.toJSON().Outputs.ShortDomainDnsTarget.Value).toEqual({ 'Fn::GetAtt': [groupId, 'RoutingEndpoint'] });
  });
});

describe('operations', () => {
  const alarms = (): Array<Record<string, any>> => ofType('AWS::CloudWatch::Alarm').map(([id, a]) => ({ id, ...a.Properties }));
  const topicId = () => only('AWS::SNS::Topic')[0];

  it('every alarm notifies the topic, in alarm and back to OK', () => {
    const all = alarms();
    // Four of the operations construct, three per stream consumer (roll-ups, archive).
    expect(all.length).toBe(10);
    for (const alarm of all) {
      expect(alarm.AlarmActions, alarm.id).toEqual([{ Ref: topicId() }]);
      expect(alarm.OKActions, alarm.id).toEqual([{ Ref: topicId() }]);
    }
  });

  it('the topic refuses plain HTTP; the e-mail subscription exists only when AlarmEmail is given', () => {
    const params = template.toJSON().Parameters;
    expect(params.AlarmEmail).toMatchObject({ Type: 'String', Default: '' });
    const [, subscription] = only('AWS::SNS::Subscription');
    expect(subscription.Condition).toBe('AlarmEmailGiven');
    expect(subscription.Properties).toMatchObject({ Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' }, TopicArn: { Ref: topicId() } });
    expect(template.toJSON().Conditions.AlarmEmailGiven).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] });
    const [, policy] = only('AWS::SNS::TopicPolicy');
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it('API error rate: 5xx over all requests, in percent, above the threshold twice', () => {
    const [alarm] = alarms().filter((a) => a.id.includes('ApiErrorRate'));
    expect(alarm).toMatchObject({ Threshold: monitoring.apiErrorRatePercent, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2 });
    const expression = alarm.Metrics.find((m: { Expression?: string }) => m.Expression).Expression;
    expect(expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    const names = alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat.Metric.MetricName]);
    expect(Object.fromEntries(names)).toEqual({ requests: 'Count', errors: '5xx' });
  });

  it('throttles: the sum of the watched functions\' Lambda throttles', () => {
    const [alarm] = alarms().filter((a) => a.id.includes('Throttles'));
    const stats = alarm.Metrics.filter((m: any) => m.MetricStat);
    expect(stats).toHaveLength(monitoring.throttleWatchedFunctions.length);
    for (const m of stats) expect(m.MetricStat.Metric).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles' });
    expect(alarm.Threshold).toBe(0);
  });

  it('roll-up lag: the consumer\'s RollupLag maximum above the threshold 3 minutes running', () => {
    const [alarm] = alarms().filter((a) => a.MetricName === metricNames.rollupLag);
    expect(alarm).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: 'rollup' }],
      Statistic: 'Maximum',
      Threshold: monitoring.rollupLagSeconds * 1000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('the dashboard shows the product metrics and every alarm', () => {
    const [, dashboard] = only('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of Object.values(metricNames)) expect(body, name).toContain(name);
    for (const metric of ['IteratorAge', 'ApproximateNumberOfMessagesVisible', '5xx', 'Throttles', 'Duration']) expect(body, metric).toContain(metric);
    for (const { id } of alarms()) expect(body, id).toContain(id);
    // Both dead-letter queues are graphed: the roll-ups' and the archiver's.
    for (const queue of ['RollupConsumerDeadLetterQueueE2267C55', 'ArchiveConsumerDeadLetterQueue']) expect(body, queue).toContain(queue);
  });

  it('the log level is a parameter, WARN unless changed, in every function', () => {
    const params = template.toJSON().Parameters;
    expect(params.LogLevel).toMatchObject({ Type: 'String', Default: 'WARN', AllowedValues: ['DEBUG', 'INFO', 'WARN', 'ERROR'] });
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL, id).toEqual({ Ref: 'LogLevel' });
    }
  });
});
