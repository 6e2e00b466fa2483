// Reference sites of definitions, and one hop of the call graph (callers, callees), from the
// structure index's resolved reference graph; snippets are the sites' lines as on disk now.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ReferenceConfidence, ResolvedSite } from "./reference-graph.js";
import { type StructureFilters, structureFilter } from "./find-definitions.js";
import type { StructureEntity, StructureIndex } from "./structure-index.js";

/** What {@link findReferences} looks for. */
export type ReferenceDirection = "references" | "callers" | "callees";

/** One reference site of a target. */
export interface ReferenceHit {
  path: string;
  line: number;
  /** 1-based column of the name. */
  column: number;
  kind: ResolvedSite["kind"];
  /** `resolved` through scopes and imports; `name-match` when only the name agrees (a method called on a variable). */
  confidence: ReferenceConfidence;
  /** The innermost definition containing the site, or null at module level. */
  enclosing: StructureEntity | null;
  /** The definition referred to (callees: the callee). */
  target: StructureEntity;
  /** The site's line as on disk now, whitespace trimmed, at most {@link SNIPPET_CHARS} characters; absent when unreadable. */
  snippet?: string;
}

/** Longest snippet, in characters. */
export const SNIPPET_CHARS = 160;

/** Options of {@link findReferences}. */
export interface FindReferencesOptions {
  direction: ReferenceDirection;
  /** Also return same-name sites that did not resolve (labelled `name-match`). Default true. */
  nameMatches?: boolean;
  /** Filters on the site's enclosing definition (callers, references) or the callee (callees). */
  filters?: StructureFilters;
}

/**
 * The reference sites of `targets` (entity indexes), resolved ones first then same-name
 * candidates, each group by path and line:
 * - `references`: every site naming a target (calls, instantiations, imports, base classes,
 *   decorators, other loads);
 * - `callers`: the call and instantiation sites among them;
 * - `callees`: the calls made directly inside a target, each with the definition it resolves to
 *   (or, as `name-match`, every definition of that name when it does not resolve and at most
 *   {@link MAX_CALLEE_CANDIDATES} share it).
 * Sites of the targets' own bodies naming themselves (recursion) are kept. Pure.
 */
export function findReferences(structure: StructureIndex, targets: readonly number[], options: FindReferencesOptions): ReferenceHit[] {
  const graph = structure.graph();
  const { entities } = structure;
  const keep = structureFilter(options.filters ?? {});
  const nameMatches = options.nameMatches ?? true;
  const hits: ReferenceHit[] = [];
  const hit = (site: ResolvedSite, target: number, confidence: ReferenceConfidence): ReferenceHit => ({
    path: site.path,
    line: site.line,
    column: site.column,
    kind: site.kind,
    confidence,
    enclosing: site.enclosing === -1 ? null : entities[site.enclosing]!,
    target: entities[target]!,
  });
  const isCall = (site: ResolvedSite) => site.kind === "call" || site.kind === "instantiate";
  for (const target of targets) {
    if (options.direction === "callees") {
      for (const index of graph.byEnclosing.get(target) ?? []) {
        const site = graph.sites[index]!;
        if (!isCall(site)) continue;
        if (site.target !== -1) {
          if (keep(entities[site.target]!)) hits.push(hit(site, site.target, "resolved"));
          continue;
        }
        if (!nameMatches) continue;
        const candidates = (structure.byName.get(site.name) ?? []).filter((candidate) => compatible(entities[candidate]!, site));
        // A call whose name many definitions share (`processor.run()`) names none of them usefully.
        if (candidates.length > MAX_CALLEE_CANDIDATES) continue;
        for (const candidate of candidates) if (keep(entities[candidate]!)) hits.push(hit(site, candidate, "name-match"));
      }
      continue;
    }
    const wanted = (site: ResolvedSite) => (options.direction === "references" || isCall(site)) && (site.enclosing === -1 ? !options.filters || keepPath(options.filters, site.path) : keep(entities[site.enclosing]!));
    for (const index of graph.byTarget.get(target) ?? []) {
      const site = graph.sites[index]!;
      if (wanted(site)) hits.push(hit(site, target, "resolved"));
    }
    if (!nameMatches) continue;
    for (const index of graph.unresolvedByName.get(entities[target]!.name) ?? []) {
      const site = graph.sites[index]!;
      if (compatible(entities[target]!, site) && wanted(site)) hits.push(hit(site, target, "name-match"));
    }
  }
  const order = (a: ReferenceHit, b: ReferenceHit) =>
    Number(a.confidence !== "resolved") - Number(b.confidence !== "resolved") || (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column);
  return hits.sort(order);
}

/** Most same-name definitions an unresolved call of a callee list may stand for; with more, the call is left out. */
export const MAX_CALLEE_CANDIDATES = 3;

/**
 * Whether an unresolved site could name `entity`: an attribute (`x.name`, `x` not a module or
 * class it could resolve) names only methods; a bare name only functions and classes, a nested
 * function only from its own file.
 */
function compatible(entity: StructureEntity, site: ResolvedSite): boolean {
  if (site.qualifier !== null) return entity.kind === "method";
  if (entity.kind === "method") return false;
  if (entity.parentQualifiedName !== null) return site.qualifier === null && site.path === entity.path;
  return true;
}

function keepPath(filters: StructureFilters, file: string): boolean {
  return structureFilter({ ...(filters.paths ? { paths: filters.paths } : {}) })({ path: file } as StructureEntity);
}

/**
 * Adds each hit's `snippet`: its line read from the file under `repoRoot` now (each file read
 * once). A file that cannot be read leaves its hits without one.
 */
export async function attachSnippets(repoRoot: string, hits: ReferenceHit[]): Promise<ReferenceHit[]> {
  const files = new Map<string, Promise<string[] | null>>();
  const linesOf = (file: string) => {
    let lines = files.get(file);
    if (!lines) {
      lines = readFile(path.join(repoRoot, file), "utf8").then(
        (text) => text.replace(/\r\n?/g, "\n").split("\n"),
        () => null,
      );
      files.set(file, lines);
    }
    return lines;
  };
  return Promise.all(
    hits.map(async (hit) => {
      const line = (await linesOf(hit.path))?.[hit.line - 1];
      return line === undefined ? hit : { ...hit, snippet: line.trim().slice(0, SNIPPET_CHARS) };
    }),
  );
}
