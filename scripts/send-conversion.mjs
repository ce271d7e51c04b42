// Signs a conversion the Standard Webhooks way and sends it.
// usage: node scripts/send-conversion.mjs <webhook url> <whsec_… secret> '<JSON body>'
import { createHmac, randomUUID } from 'node:crypto';

const [url, secret, body] = process.argv.slice(2);
if (!url || !secret || !body) {
  console.error("usage: node scripts/send-conversion.mjs <webhook url> <whsec_… secret> '<JSON body>'");
  process.exit(2);
}
const id = `msg_${randomUUID()}`;
const timestamp = Math.floor(Date.now() / 1000).toString();
const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
const response = await fetch(url, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  },
  body,
});
console.log(response.status, await response.text());
