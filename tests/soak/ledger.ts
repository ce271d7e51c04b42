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

export interface ReadRecord {
  at: number;
  what: string;
  status: number;
}

export class Ledger {
  readonly redirects: RedirectRecord[] = [];
  readonly conversions: ConversionAttempt[] = [];
  readonly reads: ReadRecord[] = [];
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
    for (const r of this.reads) add(`read/${r.what}`, r.status);
    return counts;
  }
}
