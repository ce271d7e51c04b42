// Sends a Stripe `checkout.session.completed` test event, signed by Stripe's own library the way
// Stripe signs (`Stripe-Signature: t=…,v1=…`) — what `stripe trigger` would deliver.
// usage: node scripts/send-stripe-event.mjs <receiver url> <whsec_… signing secret> <eaclid> <payment intent id> <amount in cents>
import Stripe from 'stripe';

const [url, secret, clickId, paymentIntent, cents] = process.argv.slice(2);
if (!url || !secret || !clickId || !paymentIntent || !cents) {
  console.error('usage: node scripts/send-stripe-event.mjs <receiver url> <whsec_… secret> <eaclid> <payment intent id> <amount in cents>');
  process.exit(2);
}
const payload = JSON.stringify({
  id: `evt_${paymentIntent}`,
  object: 'event',
  type: 'checkout.session.completed',
  created: Math.floor(Date.now() / 1000),
  data: {
    object: {
      id: `cs_test_${paymentIntent}`,
      object: 'checkout.session',
      mode: 'payment',
      amount_total: Number(cents),
      currency: 'eur',
      client_reference_id: clickId,
      customer: 'cus_test',
      payment_intent: paymentIntent,
      payment_status: 'paid',
      status: 'complete',
      metadata: {},
    },
  },
});
const header = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret });
const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload });
console.log(response.status, await response.text());
