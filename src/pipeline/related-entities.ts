// Definitions most like a given one: its stored vector's nearest neighbours, combined with the
// identifiers both use and the calls between them.
import { isTypeKind } from "../model/entity-kinds.js";
import type { Chunk, EntityRef, SearchHit } from "../model/types.js";
import { nearestResident, readEntityVector, searchEntities } from "../store/index.js";
import { type StructureFilters, structureFilter } from "./find-definitions.js";
import type { StructureEntity, StructureIndex } from "./structure-index.js";

/** Vector neighbours considered before the other signals re-order them. */
export const RELATED_CANDIDATES = 60;
/** Weight of the identifiers' Jaccard overlap added to the cosine similarity. */
export const SHARED_IDENTIFIER_WEIGHT = 0.5;
/** Added when one calls or references the other (one hop in the reference graph). */
export const REFERENCE_NEIGHBOUR_BONUS = 0.15;

/** One related definition and why. */
export interface RelatedHit {
  entity: StructureEntity;
  /** Cosine similarity + {@link SHARED_IDENTIFIER_WEIGHT} × shared identifiers + {@link REFERENCE_NEIGHBOUR_BONUS} when linked. */
  score: number;
  /** Cosine similarity of the stored vectors (null when the entity was not among the vector neighbours). */
  similarity: number | null;
  /** Jaccard overlap of the names both reference (0–1). */
  sharedIdentifiers: number;
  /** One calls or names the other. */
  linked: boolean;
}

/**
 * The definitions most similar to `subject` (an entity index), best first, at most `limit`:
 * {@link RELATED_CANDIDATES} nearest stored vectors (the resident table's when the session keeps
 * one, else LanceDB's search) and the definitions it references or is referenced by, scored as
 * {@link RelatedHit.score} says. The subject itself and its trivial overloads (another definition
 * of the same qualified name in the same file: `@overload` stubs, property setters, conditional
 * definitions) are left out.
 * @throws StoreError when the table cannot be read.
 */
export async function findRelated(structure: StructureIndex, subject: number, limit: number, filters: StructureFilters = {}): Promise<RelatedHit[]> {
  const { entities } = structure;
  const self = entities[subject]!;
  const keep = structureFilter(filters);
  const similarity = new Map<number, number>();
  for (const hit of await vectorNeighbours(structure, self.id)) {
    const index = structure.byId.get(hit.chunk.id);
    if (index !== undefined) similarity.set(index, hit.score);
  }
  const graph = structure.graph();
  const linked = new Set<number>();
  for (const site of graph.byEnclosing.get(subject) ?? []) if (graph.sites[site]!.target !== -1) linked.add(graph.sites[site]!.target);
  for (const site of graph.byTarget.get(subject) ?? []) if (graph.sites[site]!.enclosing !== -1) linked.add(graph.sites[site]!.enclosing);
  const ownNames = identifiersOf(structure, subject);
  const hits: RelatedHit[] = [];
  for (const index of new Set([...similarity.keys(), ...linked])) {
    const entity = entities[index]!;
    if (index === subject || (entity.path === self.path && entity.qualifiedName === self.qualifiedName) || !keep(entity)) continue;
    const shared = jaccard(ownNames, identifiersOf(structure, index));
    const cosine = similarity.get(index) ?? null;
    const isLinked = linked.has(index);
    hits.push({ entity, score: (cosine ?? 0) + SHARED_IDENTIFIER_WEIGHT * shared + (isLinked ? REFERENCE_NEIGHBOUR_BONUS : 0), similarity: cosine, sharedIdentifiers: shared, linked: isLinked });
  }
  // A class and its own methods are "related" trivially; keep them, but after peers of the same kind family.
  const family = (entity: StructureEntity) => isTypeKind(entity.kind) === isTypeKind(self.kind);
  hits.sort((a, b) => Number(family(b.entity)) - Number(family(a.entity)) || b.score - a.score || (a.entity.id < b.entity.id ? -1 : 1));
  return hits.slice(0, limit);
}

async function vectorNeighbours(structure: StructureIndex, id: string): Promise<SearchHit<EntityRef | Chunk>[]> {
  const resident = structure.view.resident();
  const row = resident?.rowOfId.get(id);
  if (resident && row !== undefined) {
    const vector = resident.matrix.subarray(row * resident.dimension, (row + 1) * resident.dimension);
    return nearestResident(resident, vector, RELATED_CANDIDATES + 1);
  }
  const vector = await readEntityVector(structure.view.table, id);
  return vector ? searchEntities(structure.view.table, vector, RELATED_CANDIDATES + 1) : [];
}

const identifierCache = new WeakMap<StructureIndex, Map<number, Set<string>>>();

/** The names an entity's body references (each site's name and qualifier parts), kept per structure. */
function identifiersOf(structure: StructureIndex, index: number): Set<string> {
  let cache = identifierCache.get(structure);
  if (!cache) identifierCache.set(structure, (cache = new Map()));
  let names = cache.get(index);
  if (!names) {
    names = new Set();
    const graph = structure.graph();
    for (const site of graph.byEnclosing.get(index) ?? []) names.add(graph.sites[site]!.name);
    cache.set(index, names);
  }
  return names;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let both = 0;
  for (const name of a) if (b.has(name)) both++;
  return both / (a.size + b.size - both);
}
