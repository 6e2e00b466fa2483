// Compares two ranked answers the way "the same answer" is meant: same entities in the same order
// and scores equal up to float summation noise, entities with equal scores in any order.

/** One hit as compared: entity id and score. */
export interface ScoredId {
  id: string;
  score: number;
}

/** Relative score difference below which two scores are the same (LanceDB sums BM25 parts in varying order: ~1e-7 apart). */
const SCORE_TOLERANCE = 1e-5;

const close = (a: number, b: number) => Math.abs(a - b) <= SCORE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));

/** Runs of consecutive hits with the same score (ties). */
function tieGroups(hits: readonly ScoredId[]): ScoredId[][] {
  const groups: ScoredId[][] = [];
  for (const hit of hits) {
    const last = groups.at(-1);
    if (last && close(last[0]!.score, hit.score)) last.push(hit);
    else groups.push([hit]);
  }
  return groups;
}

/**
 * Whether `a` and `b` rank the same: equal length, the same tie groups with the same scores, and
 * the same ids in each group — except the last group, which a result limit may cut anywhere
 * among equal scores, so only its size and score must agree there.
 */
export function sameRanking(a: readonly ScoredId[], b: readonly ScoredId[]): boolean {
  if (a.length !== b.length) return false;
  const ga = tieGroups(a);
  const gb = tieGroups(b);
  if (ga.length !== gb.length) return false;
  return ga.every((group, i) => {
    const other = gb[i]!;
    if (group.length !== other.length || !close(group[0]!.score, other[0]!.score)) return false;
    if (i === ga.length - 1 && a.length > 0) return true;
    const ids = new Set(group.map((h) => h.id));
    return other.every((h) => ids.has(h.id));
  });
}

/** Whether every ranking of `a` is {@link sameRanking} as the one at the same position of `b`. */
export function sameRankings(a: readonly (readonly ScoredId[])[], b: readonly (readonly ScoredId[])[]): boolean {
  return a.length === b.length && a.every((ranking, i) => sameRanking(ranking, b[i]!));
}
