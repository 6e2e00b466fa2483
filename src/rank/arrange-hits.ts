import { isTypeKind } from "../model/entity-kinds.js";
import type { EntityRef } from "../model/types.js";

/**
 * Makes a ranked list actionable: each entity once (its first occurrence kept), and a class that
 * ranks together with one of its own methods gives way to that method. The best-ranked such method
 * takes the better of the two places and the better of the two scores, and the class is dropped;
 * the method's qualified name (`Class.method`) still shows the class. Scores stay in descending
 * order when they were.
 * @param hits best first; `chunk.id` identifies an entity; `score` is higher-is-better.
 * @returns a new list, best first; the input is not changed.
 */
export function arrangeHits<T extends { chunk: EntityRef; score: number }>(hits: readonly T[]): T[] {
  const seen = new Set<string>();
  const unique = hits.filter((hit) => !seen.has(hit.chunk.id) && seen.add(hit.chunk.id));
  const classKey = (path: string, qualifiedName: string) => `${path}\u0000${qualifiedName}`;
  const classes = new Set(unique.filter((h) => isTypeKind(h.chunk.kind)).map((h) => classKey(h.chunk.path, h.chunk.qualifiedName)));
  const methodOf = new Map<string, T>();
  for (const hit of unique) {
    const c = hit.chunk;
    if (c.kind !== "method" || c.parentQualifiedName === null) continue;
    const key = classKey(c.path, c.parentQualifiedName);
    if (classes.has(key) && !methodOf.has(key)) methodOf.set(key, hit);
  }
  const placed = new Set<string>();
  const out: T[] = [];
  for (const hit of unique) {
    const method = isTypeKind(hit.chunk.kind) ? methodOf.get(classKey(hit.chunk.path, hit.chunk.qualifiedName)) : undefined;
    const next = method === undefined ? hit : { ...method, score: Math.max(method.score, hit.score) };
    if (placed.has(next.chunk.id)) continue;
    placed.add(next.chunk.id);
    out.push(next);
  }
  return out;
}
