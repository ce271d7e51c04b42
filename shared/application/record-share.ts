/**
 * Record a share (spec section 15): an advocate started sharing a campaign on a channel. The
 * campaign must be an active one of the caller's organization (anything else is `not_found`,
 * the same answer for archived, unknown and foreign campaigns); each advocate may record
 * `shareFloodCapPerMinute` shares per UTC minute — past it nothing is recorded and the caller is
 * told when the minute ends. A recorded share is one raw event; the stream consumer rolls it up
 * exactly once, as it does a click. The handler (functions/shares.ts) turns the answer into HTTP.
 */
import type { ShareEventRecord } from '../domain/events.js';
import { newClickId } from '../domain/ids.js';
import type { Principal } from '../domain/principal.js';
import type { Advocate, Campaign } from '../domain/resources.js';
import { shareMinuteOf } from '../domain/share-minute.js';
import { ensureAdvocate, getAdvocate, getCampaign } from '../adapters/entities.js';
import { putShare, takeShareSlot } from '../adapters/shares.js';

export interface ShareRequest {
  campaignId: string;
  channel: string;
  advocateId?: string;
}

export type ShareAnswer =
  | { kind: 'recorded'; share: ShareEventRecord }
  /** An advocate token naming another advocate. */
  | { kind: 'forbidden' }
  /** An API key that names no advocate. */
  | { kind: 'advocateRequired' }
  | { kind: 'campaignNotFound' }
  | { kind: 'advocateNotFound' }
  | { kind: 'flooded'; retryAfterSeconds: number };

export interface ShareStore {
  campaign(orgId: string, campaignId: string): Promise<Campaign | undefined>;
  /** The advocate; an advocate token's own is created on first use (as by POST /v1/links). */
  advocate(orgId: string, advocateId: string, createIfMissing: boolean): Promise<Advocate | undefined>;
  takeSlot(orgId: string, advocateId: string, minute: string, minuteEndMs: number): Promise<boolean>;
  putShare(share: ShareEventRecord): Promise<void>;
}

export const dynamoShareStore: ShareStore = {
  campaign: (orgId, campaignId) => getCampaign(orgId, campaignId),
  advocate: (orgId, advocateId, createIfMissing) => (createIfMissing ? ensureAdvocate(orgId, advocateId) : getAdvocate(orgId, advocateId)),
  takeSlot: takeShareSlot,
  putShare,
};

export const recordShare = async (
  principal: Principal & { kind: 'apiKey' | 'advocate' },
  request: ShareRequest,
  store: ShareStore = dynamoShareStore,
  nowMs: number = Date.now(),
): Promise<ShareAnswer> => {
  let advocateId: string;
  if (principal.kind === 'advocate') {
    if (request.advocateId !== undefined && request.advocateId !== principal.advocateId) return { kind: 'forbidden' };
    advocateId = principal.advocateId;
  } else {
    if (request.advocateId === undefined) return { kind: 'advocateRequired' };
    advocateId = request.advocateId;
  }
  const { orgId } = principal;
  const campaign = await store.campaign(orgId, request.campaignId);
  // Archived, unknown or another organization's: one answer, so it tells nothing apart.
  if (!campaign || campaign.status !== 'active') return { kind: 'campaignNotFound' };
  const advocate = await store.advocate(orgId, advocateId, principal.kind === 'advocate');
  if (!advocate) return { kind: 'advocateNotFound' };

  const minute = shareMinuteOf(nowMs);
  if (!(await store.takeSlot(orgId, advocateId, minute.minute, minute.endMs))) {
    return { kind: 'flooded', retryAfterSeconds: minute.retryAfterSeconds };
  }
  // Time-sortable like a click id; the event id (`sh…`) cannot meet a click's or a conversion's in the ledger.
  const shareId = newClickId(nowMs);
  const share: ShareEventRecord = {
    type: 'share',
    eventId: `sh${shareId}`,
    shareId,
    orgId,
    campaignId: campaign.campaignId,
    advocateId,
    channel: request.channel,
    ...(advocate.department ? { department: advocate.department } : {}),
    at: new Date(nowMs).toISOString(),
    recordedBy: principal.kind,
  };
  await store.putShare(share);
  return { kind: 'recorded', share };
};
