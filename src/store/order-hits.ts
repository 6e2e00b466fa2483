import type { EntityRef, SearchHit } from "../model/types.js";

/**
 * Relative difference below which two scores count as a tie. LanceDB sums BM25 parts in varying
 * order, so one document's score differs by ~1e-7 between two reads of the same data.
 */
const TIE_TOLERANCE = 1e-6;

/**
 * `hits` best first, ties (scores within {@link TIE_TOLERANCE}, relative) ordered by entity id.
 * LanceDB returns tied rows in storage order, which differs between an index updated in place and
 * one built from scratch; ordering ties by id makes every ranking, and so every fused ranking,
 * the same for the same rows. Returns a new array.
 */
export function orderHits<H extends SearchHit<EntityRef>>(hits: readonly H[]): H[] {
  return [...hits].sort((a, b) => {
    if (!tied(a.score, b.score)) return b.score - a.score;
    return a.chunk.id < b.chunk.id ? -1 : a.chunk.id > b.chunk.id ? 1 : 0;
  });
}

function tied(a: number, b: number): boolean {
  return Math.abs(a - b) <= TIE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * `hits` (best first, as {@link orderHits} orders them) without the tie group at the cut when a
 * search returned exactly `depth` hits — the last hit and those tied with it, since rows past the
 * cut may tie with it too: which of several rows tied at the cut LanceDB keeps
 * depends on storage order, so an index updated in place and one built from scratch would keep
 * different ones, and a ranking stage that looks at the whole candidate pool (file support, class
 * members) would score even the top hits differently. Dropping the group makes the pool the same
 * for the same rows. A list that is one tie group throughout is returned whole (nothing else to
 * keep). Returns a new array.
 */
export function withoutTiesAtCut<H extends SearchHit<EntityRef>>(hits: readonly H[], depth: number): H[] {
  if (hits.length < depth || hits.length === 0) return [...hits];
  const last = hits[hits.length - 1]!.score;
  let keep = hits.length;
  while (keep > 0 && tied(hits[keep - 1]!.score, last)) keep--;
  return keep === 0 ? [...hits] : hits.slice(0, keep);
}
