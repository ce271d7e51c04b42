/** How an advocate appears in the rankings others see (spec section 16). */
import * as z from 'zod';

export const rankingVisibilities = ['named', 'pseudonymous', 'hidden'] as const;
export type RankingVisibility = (typeof rankingVisibilities)[number];

export const rankingVisibilitySchema = z.enum(rankingVisibilities);

/** An organization that never chose keeps the rankings it had before the setting existed. */
export const defaultRankingVisibility: RankingVisibility = 'named';
