// A file's definitions as a tree, or a folder's (or the repository's) most important definitions
// first: PageRank over the resolved reference graph, or a documented fallback without references.
import { isTypeKind } from "../model/entity-kinds.js";
import { UsageError } from "../model/errors.js";
import { type StructureFilters, structureFilter } from "./find-definitions.js";
import type { StructureEntity, StructureIndex } from "./structure-index.js";

/** One definition of an outline, with its nesting depth (0 = module level). */
export interface OutlineItem {
  entity: StructureEntity;
  depth: number;
  /** Importance in a folder map (higher first); 0 in a file outline. */
  score: number;
}

/** How a folder map ordered its definitions. */
export type OutlineRanking = "source" | "pagerank" | "fallback";

/** A file outline or a folder map. */
export interface Outline {
  /** The path asked for, normalised (`""` for the whole repository). */
  scope: string;
  /** `file`: one file's definitions in source order; `map`: a folder's, most important first. */
  shape: "file" | "map";
  ranking: OutlineRanking;
  items: OutlineItem[];
}

/**
 * The outline of `target`: for an indexed file, its definitions in source order with their
 * nesting depth; for a folder (`pkg/`, `pkg`) or the repository (`""`, `.`), every definition
 * below it, most important first. Importance is PageRank over the resolved reference graph when
 * the index holds references (a definition referenced by important ones ranks high); without any
 * (an index written before references were recorded) the fallback orders module-level before
 * nested, public (no leading `_`) before private, types before functions, code before tests,
 * then by how many definitions each holds. Pure.
 * @throws UsageError when `target` is neither an indexed file nor a folder holding one.
 */
export function outlineEntities(structure: StructureIndex, target: string, filters: StructureFilters = {}): Outline {
  const scope = target.replace(/\\/g, "/").replace(/^\.\/?/, "").replace(/\/+$/, "");
  const keep = structureFilter(filters);
  const file = structure.byPath.get(scope);
  if (file) {
    const items = file.map((index) => structure.entities[index]!).filter(keep).map((entity) => ({ entity, depth: depthOf(entity), score: 0 }));
    return { scope, shape: "file", ranking: "source", items };
  }
  // A folder map ranks every definition below it: kept per structure (one committed version) and arguments.
  let maps = mapCache.get(structure);
  if (!maps) mapCache.set(structure, (maps = new Map()));
  const key = JSON.stringify([scope, filters]);
  const known = maps.get(key);
  if (known) return known;
  const map = folderMap(structure, scope, keep);
  maps.set(key, map);
  return map;
}

const mapCache = new WeakMap<StructureIndex, Map<string, Outline>>();

function folderMap(structure: StructureIndex, scope: string, keep: (entity: StructureEntity) => boolean): Outline {
  const inScope = structure.entities.map((entity, index) => ({ entity, index })).filter(({ entity }) => (scope === "" || entity.path.startsWith(`${scope}/`)) && keep(entity));
  if (inScope.length === 0) throw new UsageError(`${scope || "the repository"} holds no indexed definitions${structure.byPath.size > 0 ? "; give a repository-relative file or folder" : ""}`);
  const graph = structure.graph();
  const ranked = graph.byTarget.size > 0;
  const rank = ranked ? graph.rank() : null;
  const members = memberCounts(structure.entities);
  const items = inScope.map(({ entity, index }) => ({
    entity,
    depth: depthOf(entity),
    score: rank ? rank[index]! * structure.entities.length + fallbackScore(entity, members) / 1000 : fallbackScore(entity, members),
  }));
  items.sort((a, b) => b.score - a.score || (a.entity.path < b.entity.path ? -1 : a.entity.path > b.entity.path ? 1 : a.entity.startLine - b.entity.startLine));
  return { scope, shape: "map", ranking: ranked ? "pagerank" : "fallback", items };
}

function depthOf(entity: StructureEntity): number {
  return entity.parentQualifiedName === null ? 0 : entity.qualifiedName.split(".").length - 1;
}

/** The fallback importance: module level +4, public +2, a type +1, test code −8, plus members ÷ (members + 10). */
function fallbackScore(entity: StructureEntity, members: Map<string, number>): number {
  const count = members.get(`${entity.path}\0${entity.qualifiedName}`) ?? 0;
  return (entity.parentQualifiedName === null ? 4 : 0) + (entity.name.startsWith("_") ? 0 : 2) + (isTypeKind(entity.kind) ? 1 : 0) - (entity.isTest ? 8 : 0) + count / (count + 10);
}

function memberCounts(entities: readonly StructureEntity[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entity of entities) {
    if (entity.parentQualifiedName === null) continue;
    const key = `${entity.path}\0${entity.parentQualifiedName}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
