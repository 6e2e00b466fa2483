/** Reciprocal Rank Fusion's constant: how much a first place outweighs a tenth (Cormack et al., SIGIR 2009). */
export const RRF_K = 60;

/** One item after fusion. */
export interface FusedItem {
  id: string;
  /** Σ over the rankings that hold the item of weight / (k + rank); higher is better. */
  score: number;
  /** The item's 1-based rank in each input ranking (same order as the input), null where absent. */
  ranks: (number | null)[];
}

/**
 * Reciprocal Rank Fusion: merges ranked lists of ids into one, scoring each id by
 * Σ weightᵢ / (k + rankᵢ) over the lists that contain it. Only ranks matter, not the lists' own
 * scores, so cosine similarities and BM25 scores combine without calibration.
 * An id repeated within one list counts at its first (best) rank.
 * @param rankings lists of ids, best first.
 * @param options `k` (default {@link RRF_K}, must be ≥ 0); `weights` per list (default 1 each).
 * @returns every id found, by score descending; ties by best single rank, then by id.
 */
export function fuseRankings(rankings: readonly (readonly string[])[], options: { k?: number; weights?: readonly number[] } = {}): FusedItem[] {
  const k = options.k ?? RRF_K;
  if (!(k >= 0)) throw new RangeError(`RRF k must be a non-negative number, got ${k}`);
  const items = new Map<string, FusedItem>();
  rankings.forEach((ranking, list) => {
    const weight = options.weights?.[list] ?? 1;
    ranking.forEach((id, index) => {
      let item = items.get(id);
      if (item === undefined) {
        item = { id, score: 0, ranks: rankings.map(() => null) };
        items.set(id, item);
      }
      if (item.ranks[list] !== null) return;
      item.ranks[list] = index + 1;
      item.score += weight / (k + index + 1);
    });
  });
  const bestRank = (item: FusedItem) => Math.min(...item.ranks.map((r) => r ?? Number.POSITIVE_INFINITY));
  return [...items.values()].sort((a, b) => b.score - a.score || bestRank(a) - bestRank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
