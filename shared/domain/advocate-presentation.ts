/**
 * How an advocate appears to others in rankings (spec section 16): the advocate's own choice wins;
 * without one, the organization's default (`rankingDefault`); without that, `named`. An offboarded
 * advocate is never named again: pseudonymous (or hidden, if that was their choice). Pure.
 */
import { defaultRankingVisibility, type RankingVisibility } from './ranking-visibility.js';

export interface AdvocateStanding {
  advocateId: string;
  displayName?: string;
  department?: string;
  /** The advocate's own choice; absent: the organization's default applies. */
  rankingVisibility?: RankingVisibility;
  /** A random id given to the advocate once, kept for good: never derived from who they are. */
  pseudonym?: string;
  offboardedAt?: string;
}

export const effectiveVisibility = (advocate: AdvocateStanding | undefined, organizationDefault: RankingVisibility | undefined): RankingVisibility => {
  const chosen = advocate?.rankingVisibility ?? organizationDefault ?? defaultRankingVisibility;
  if (advocate?.offboardedAt) return chosen === 'hidden' ? 'hidden' : 'pseudonymous';
  return chosen;
};

/** A pseudonym's label, as rankings show it: "Advocate 7f3a9c". */
export const pseudonymLabel = (pseudonym: string): string => `Advocate ${pseudonym.slice(0, 6)}`;

/** The id a pseudonymous advocate's row carries instead of the advocate id (stable, not reversible). */
export const pseudonymKey = (pseudonym: string): string => `anon-${pseudonym}`;

export interface ShownAdvocate {
  /** What stands for the advocate id in the row: the id itself, or the pseudonym's key. */
  advocateId: string;
  label: string;
  department?: string;
}

/**
 * An advocate as someone else sees them in a ranking, or undefined when they are not listed:
 * hidden, or pseudonymous without a pseudonym yet (never shown under their name by mistake). An
 * advocate the table does not know (rows written without an advocate item) shows its id when
 * the organization names advocates.
 */
export const shownToOthers = (advocateId: string, advocate: AdvocateStanding | undefined, organizationDefault: RankingVisibility | undefined): ShownAdvocate | undefined => {
  const visibility = effectiveVisibility(advocate, organizationDefault);
  if (visibility === 'hidden') return undefined;
  if (visibility === 'pseudonymous') return advocate?.pseudonym ? { advocateId: pseudonymKey(advocate.pseudonym), label: pseudonymLabel(advocate.pseudonym) } : undefined;
  return { advocateId, label: advocate?.displayName ?? advocateId, ...(advocate?.department ? { department: advocate.department } : {}) };
};
