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
    const scale = Math.max(1, Math.abs(a.score), Math.abs(b.score));
    if (Math.abs(a.score - b.score) > TIE_TOLERANCE * scale) return b.score - a.score;
    return a.chunk.id < b.chunk.id ? -1 : a.chunk.id > b.chunk.id ? 1 : 0;
  });
}
