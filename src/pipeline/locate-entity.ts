// Which stored definitions a structural tool's subject names: an entity id, `file:line`, or a name.
import { UsageError } from "../model/errors.js";
import { findDefinitions } from "./find-definitions.js";
import type { StructureIndex } from "./structure-index.js";

/**
 * The entities (indexes into `structure.entities`) that `subject` names:
 * - an entity id (`path:start_line:qualname`, as search hits and every tool answer carry it);
 * - `file:line`: the innermost definition whose lines (decorators included) contain the line;
 * - a name: the definitions with that exact name, or with that qualified name (`Cart.total`,
 *   `pkg.mod.func`); every one of them when several match equally.
 * @throws UsageError when nothing matches (the message says what to try instead).
 */
export function locateEntities(structure: StructureIndex, subject: string): number[] {
  const wanted = subject.trim();
  const byId = structure.byId.get(wanted);
  if (byId !== undefined) return [byId];
  const fileLine = /^(.+):(\d+)$/.exec(wanted);
  if (fileLine && structure.byPath.has(fileLine[1]!.replace(/^\.\//, ""))) {
    const path = fileLine[1]!.replace(/^\.\//, "");
    const line = Number(fileLine[2]);
    let best = -1;
    for (const index of structure.byPath.get(path)!) {
      const entity = structure.entities[index]!;
      const first = entity.startLine - entity.decorators.length;
      if (first <= line && line <= entity.endLine && (best === -1 || entity.startLine >= structure.entities[best]!.startLine)) best = index;
    }
    if (best === -1) throw new UsageError(`no definition of ${path} contains line ${line}; use outline ${path} to see its definitions`);
    return [best];
  }
  if (fileLine) throw new UsageError(`${fileLine[1]} is not an indexed file (paths are relative to the repository root)`);
  const hits = findDefinitions(structure, wanted).filter((hit) => hit.match === "exact" || hit.match === "qualified");
  if (hits.length === 0) throw new UsageError(`no definition is named ${wanted}; use symbols (codesearch def) with a pattern to find its spelling`);
  const best = hits[0]!.score;
  return hits.filter((hit) => hit.score === best).map((hit) => structure.byId.get(hit.entity.id)!);
}
