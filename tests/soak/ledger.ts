/**
 * What the soak's clients saw: every redirect and its click id, every conversion delivery and
 * its answer, every read. The checks after the run compare this with what the tables hold.
 */
export interface RedirectRecord {
  at: number;
  slug: string;
  kind: 'human' | 'bot' | 'head';
  status: number;
  clickId?: string;
}

export interface ConversionAttempt {
  at: number;
  conversionId: string;
  webhookId: string;
  status: number;
  /** `accepted` or `duplicate` from a 2xx body. */
  outcome?: string;
}

/** A share an advocate started (POST /v1/shares) and its answer: 202 with its id, 429 past the flood cap. */
export interface ShareRecord {
  at: number;
  advocateId: string;
  campaignId: string;
  status: number;
  shareId?: string;
}

export interface ReadRecord {
  at: number;
  what: string;
  status: number;
}

export class Ledger {
  readonly redirects: RedirectRecord[] = [];
  readonly conversions: ConversionAttempt[] = [];
  readonly reads: ReadRecord[] = [];
  readonly shares: ShareRecord[] = [];
  /** The `data` of every conversion sent, by conversionId (what the shop knows it sent). */
  readonly conversionsSent = new Map<string, Record<string, unknown>>();
  /** Conversions whose sender gave up before any 2xx (must stay empty). */
  readonly undelivered: string[] = [];
  /** Deliveries sent again on purpose (same webhook-id, or same conversionId under a new id). */
  duplicatesSent = 0;
  /** Deliveries sent again because an earlier attempt failed (what a webhook sender does). */
  retries = 0;
  /** Requests refused on purpose: bad keys, bad tokens, bad signatures. */
  hostile = 0;

  clickIds(): string[] {
    return this.redirects.flatMap((r) => (r.clickId ? [r.clickId] : []));
  }

  statusCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    const add = (kind: string, status: number) => {
      const key = `${kind} ${status}`;
      counts[key] = (counts[key] ?? 0) + 1;
    };
    for (const r of this.redirects) add(`redirect/${r.kind}`, r.status);
    for (const c of this.conversions) add('conversion', c.status);
    for (const s of this.shares) add('share', s.status);
    for (const r of this.reads) add(`read/${r.what}`, r.status);
    return counts;
  }
}
