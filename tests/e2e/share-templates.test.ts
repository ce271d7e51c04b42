/**
 * Suggested posts over HTTP (spec section 15) against the local runtime: create and patch take
 * `shareTemplates`, refuse bad ones with 422 naming the channel and the length, and change
 * nothing when they refuse; HTML is stored as written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.js';
import { startSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let api: Client['request'];
let org: { orgId: string; apiKey: string };

const destinationUrl = 'https://careers.acme.example/jobs';

const refusal = (response: { status: number; headers: Headers; body: any }) => {
  expect(response.status).toBe(422);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return response.body as { detail: string; errors: Array<{ field: string; message: string }> };
};

beforeAll(async () => {
  system = await startSystem();
  api = system.client.request;
  org = await system.createOrganization('Acme');
});

afterAll(async () => {
  await system?.stop();
});

describe('shareTemplates on campaigns', () => {
  it('stores the posts as written, HTML included, and answers them on read', async () => {
    const shareTemplates = {
      linkedin: "We're hiring for {campaignName} — <b>apply</b> through my link: {link}\n\n{advocateName}",
      x: '<script>alert(1)</script> Join us: {link}',
    };
    const created = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Hiring 2027', destinationUrl, shareTemplates } });
    expect(created.status).toBe(201);
    expect(created.body.shareTemplates).toEqual(shareTemplates);
    const read = await api('GET', `/v1/campaigns/${created.body.campaignId}`, { token: org.apiKey });
    expect(read.body.shareTemplates).toEqual(shareTemplates);
    // An advocate reads them too: the page fills them in.
    const advocate = await system.advocateToken(org.orgId, 'alice');
    expect((await api('GET', `/v1/campaigns/${created.body.campaignId}`, { token: advocate })).body.shareTemplates).toEqual(shareTemplates);
  });

  it('leaves shareTemplates out of a campaign without posts', async () => {
    const created = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Plain', destinationUrl, shareTemplates: {} } });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('shareTemplates');
  });

  it('refuses an unknown placeholder, an over-long X post, an empty post and a control character, naming channel and length, and creates nothing', async () => {
    const before = (await api('GET', '/v1/campaigns?limit=100', { token: org.apiKey })).body.items.length;
    const response = await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: {
        name: 'Refused',
        destinationUrl,
        shareTemplates: { linkedin: 'Hi {firstName}: {link}', x: `${'a'.repeat(257)} {link}`, whatsapp: '', email: 'Bell\u0007{link}' },
      },
    });
    const problem = refusal(response);
    expect(problem.errors).toEqual([
      { field: 'shareTemplates.linkedin', message: 'the linkedin template has the unknown placeholder {firstName} (use {link}, {advocateName} or {campaignName})' },
      {
        field: 'shareTemplates.x',
        message: 'the x post is 281 characters once filled (X weighted: a link counts 23, wide characters and emoji 2), more than the 280 x allows',
      },
      { field: 'shareTemplates.email', message: 'the email template contains the control character U+0007 at position 4 (only tab and line breaks are allowed)' },
      {
        field: 'shareTemplates.whatsapp',
        message: 'the whatsapp template is empty (0 characters, none but white space): write a post, or leave the channel out',
      },
    ]);
    expect(problem.detail).toContain('the x post is 281 characters');
    expect((await api('GET', '/v1/campaigns?limit=100', { token: org.apiKey })).body.items.length).toBe(before);
  });

  it('refuses an unknown channel as an unknown field', async () => {
    const response = await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Odd', destinationUrl, shareTemplates: { myspace: '{link}' } } });
    expect(refusal(response).errors).toEqual([{ field: 'shareTemplates.myspace', message: 'Unknown field' }]);
  });

  it('patch replaces every post, null removes them, and a refused patch changes nothing', async () => {
    const { campaignId } = (await api('POST', '/v1/campaigns', {
      token: org.apiKey,
      body: { name: 'Patchable', destinationUrl, shareTemplates: { linkedin: 'A {link}', x: 'B {link}' } },
    })).body;
    const path = `/v1/campaigns/${campaignId}`;

    const replaced = await api('PATCH', path, { token: org.apiKey, body: { shareTemplates: { email: 'C {link}' } } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.shareTemplates).toEqual({ email: 'C {link}' });

    refusal(await api('PATCH', path, { token: org.apiKey, body: { shareTemplates: { x: 'no link' } } }));
    expect((await api('GET', path, { token: org.apiKey })).body.shareTemplates).toEqual({ email: 'C {link}' });

    // Other fields leave the posts alone.
    expect((await api('PATCH', path, { token: org.apiKey, body: { utm: { medium: 'social' } } })).body.shareTemplates).toEqual({ email: 'C {link}' });

    const removed = await api('PATCH', path, { token: org.apiKey, body: { shareTemplates: null } });
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty('shareTemplates');
    expect((await api('GET', path, { token: org.apiKey })).body).not.toHaveProperty('shareTemplates');
  });

  it('checks a rename against the posts kept: {campaignName} grows with it', async () => {
    const x = `${'a'.repeat(240)} {campaignName} {link}`;
    const { campaignId, updatedAt } = (await api('POST', '/v1/campaigns', { token: org.apiKey, body: { name: 'Short', destinationUrl, shareTemplates: { x } } })).body;
    const path = `/v1/campaigns/${campaignId}`;
    const problem = refusal(await api('PATCH', path, { token: org.apiKey, body: { name: 'A much longer campaign name' } }));
    // 240 + 1 + 27 (the new name) + 1 + 23 (the link)
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'shareTemplates.x', message: expect.stringContaining('292 characters') })]);
    const kept = (await api('GET', path, { token: org.apiKey })).body;
    expect(kept).toMatchObject({ name: 'Short', updatedAt, shareTemplates: { x } });
    // Renamed together with a post that fits the new name: accepted.
    const both = await api('PATCH', path, { token: org.apiKey, body: { name: 'A much longer campaign name', shareTemplates: { x: '{campaignName}: {link}' } } });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ name: 'A much longer campaign name', shareTemplates: { x: '{campaignName}: {link}' } });
  });
});
