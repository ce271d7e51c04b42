/**
 * POST /v1/shares (spec section 15): an advocate started a share. Advocates record their own;
 * API keys with links:write record on an advocate's behalf. The use case is
 * shared/application/record-share.ts; this turns its answer into HTTP.
 */
import middy from '@middy/core';
import { recordShare } from '../shared/application/record-share.js';
import { shareCreateSchema } from '../shared/domain/resources.js';
import { shareFloodCapPerMinute } from '../shared/settings.js';
import { HttpError, json, parseJsonBody, problem } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import { requestLogging } from '../shared/adapters/request-logging.js';

const router = createRouter('shares', {
  'POST /v1/shares': async (event, principal) => {
    const input = parseJsonBody(event, shareCreateSchema);
    const answer = await recordShare(principal, input);
    switch (answer.kind) {
      case 'recorded': {
        const { shareId, campaignId, advocateId, channel, at } = answer.share;
        return json(202, { shareId, campaignId, advocateId, channel, at, status: 'accepted' });
      }
      case 'forbidden':
        throw new HttpError(403, 'Advocates record only their own shares');
      case 'advocateRequired':
        throw new HttpError(422, 'advocateId is required with an API key', [{ field: 'advocateId', message: 'is required' }]);
      case 'campaignNotFound':
        throw new HttpError(404, 'Campaign not found');
      case 'advocateNotFound':
        throw new HttpError(404, 'Advocate not found; create it with PUT /v1/advocates/{advocateId}');
      case 'flooded': {
        const answered = problem(429, `At most ${shareFloodCapPerMinute} shares per advocate and minute; nothing was recorded`);
        return { ...answered, headers: { ...answered.headers, 'retry-after': String(answer.retryAfterSeconds) } };
      }
    }
  },
});

export const handler = middy(router).use(requestLogging());
