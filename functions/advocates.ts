/** Advocates: PUT/GET/PATCH/DELETE /v1/advocates/{advocateId}. */
import middy from '@middy/core';
import {
  AdvocateOffboardedError,
  ensureAdvocate,
  getAdvocate,
  offboardAdvocate,
  putAdvocate,
  setRankingVisibility,
} from '../shared/adapters/entities.js';
import { advocatePatchSchema, advocatePutSchema, externalIdSchema } from '../shared/domain/resources.js';
import { HttpError, json, parseJsonBody, pathParam } from '../shared/contract/http.js';
import { createRouter } from '../shared/contract/router.js';
import { requestLogging } from '../shared/adapters/request-logging.js';

const advocateIdOf = (raw: string) => {
  const parsed = externalIdSchema.safeParse(raw);
  if (!parsed.success) throw new HttpError(404, 'Advocate not found');
  return parsed.data;
};

const offboarded = () => new HttpError(409, 'This advocate was offboarded: its id is not given a name, links or choices again');

const router = createRouter('advocates', {
  'PUT /v1/advocates/{advocateId}': async (event, principal) => {
    const { orgId } = principal;
    const advocateId = pathParam(event, 'advocateId');
    if (!externalIdSchema.safeParse(advocateId).success) {
      throw new HttpError(422, 'Invalid advocate id', [
        { field: 'advocateId', message: 'must be 1–128 characters: letters, digits and . _ @ + : -' },
      ]);
    }
    const input = parseJsonBody(event, advocatePutSchema);
    try {
      const { advocate, created } = await putAdvocate(orgId, advocateId, input);
      return json(created ? 201 : 200, advocate);
    } catch (error) {
      if (error instanceof AdvocateOffboardedError) throw offboarded();
      throw error;
    }
  },

  'GET /v1/advocates/{advocateId}': async (event, principal) => {
    const advocateId = advocateIdOf(pathParam(event, 'advocateId'));
    // An advocate reads only itself; another advocate's id is "not found", like a foreign id.
    if (principal.kind === 'advocate' && principal.advocateId !== advocateId) throw new HttpError(404, 'Advocate not found');
    const advocate = await getAdvocate(principal.orgId, advocateId);
    if (!advocate) throw new HttpError(404, 'Advocate not found');
    return json(200, advocate);
  },

  'PATCH /v1/advocates/{advocateId}': async (event, principal) => {
    const advocateId = advocateIdOf(pathParam(event, 'advocateId'));
    if (principal.kind === 'advocate' && principal.advocateId !== advocateId) throw new HttpError(404, 'Advocate not found');
    const { rankingVisibility } = parseJsonBody(event, advocatePatchSchema);
    // An advocate's own token may choose before its first link: it is created on first use, as for links.
    if (principal.kind === 'advocate') await ensureAdvocate(principal.orgId, advocateId);
    try {
      const advocate = await setRankingVisibility(principal.orgId, advocateId, rankingVisibility);
      if (!advocate) throw new HttpError(404, 'Advocate not found');
      return json(200, advocate);
    } catch (error) {
      if (error instanceof AdvocateOffboardedError) throw offboarded();
      throw error;
    }
  },

  'DELETE /v1/advocates/{advocateId}': async (event, principal) => {
    const advocateId = advocateIdOf(pathParam(event, 'advocateId'));
    if (!(await offboardAdvocate(principal.orgId, advocateId))) throw new HttpError(404, 'Advocate not found');
    return json(200, (await getAdvocate(principal.orgId, advocateId))!);
  },
});

export const handler = middy(router).use(requestLogging());
