// A landing site for trying the snippet end to end: its page loads <api>/t.js and has a sign-up
// form with the hidden `eaclid` field the snippet fills; the form's POST sends a signed
// `signup` conversion with that click id to the API, and shows the API's answer.
// usage: node scripts/landing-demo.mjs <api base URL> <sourceId> <whsec_… secret> [port, default 8080]
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const [api, sourceId, secret, port = '8080'] = process.argv.slice(2);
if (!api || !sourceId || !secret) {
  console.error('usage: node scripts/landing-demo.mjs <api base URL> <sourceId> <whsec_… secret> [port]');
  process.exit(2);
}

const page = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme careers</title>
<script src="${api}/t.js" defer></script></head><body>${body}</body></html>`;

const landing = page(`<h1>Acme careers</h1>
<form method="post" action="/signup"><input type="hidden" name="eaclid">
<label>E-mail <input name="email" value="visitor@example.com"></label> <button>Sign up</button></form>`);

/** The same signing as scripts/send-conversion.mjs (Standard Webhooks). */
const sendConversion = async (data) => {
  const body = JSON.stringify({ type: 'conversion.created', data });
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000).toString();
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  const response = await fetch(`${api}/v1/webhooks/conversions/${sourceId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
    body,
  });
  return `${response.status} ${await response.text()}`;
};

const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/signup') {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', async () => {
      const form = new URLSearchParams(raw);
      const clickId = form.get('eaclid') || undefined;
      const data = { conversionId: `signup-${randomUUID()}`, kind: 'signup', occurredAt: new Date().toISOString(), ...(clickId ? { clickId } : {}) };
      const answer = await sendConversion(data);
      console.log(`signup with eaclid=${clickId ?? '(none)'} -> ${answer}`);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page(`<h1>Thanks</h1><p id="answer">${escape(answer)}</p>`));
    });
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(landing);
});
// Port 0 takes a free one; the line below says which.
server.listen(Number(port), '127.0.0.1', () => console.log(`landing site on http://localhost:${server.address().port}/`));
