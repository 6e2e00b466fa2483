// The structural tools' view of one committed index state: every entity's light fields (no source,
// text or vector), indexed by name, file and id, and the reference graph built from the catalog's
// per-file reference records. Read once per committed version and kept with the session.
import type * as lancedb from "@lancedb/lancedb";
import { StoreError, describeError } from "../model/errors.js";
import type { EntityKind } from "../model/entity-kinds.js";
import type { Chunk } from "../model/types.js";
import type { FileReferences } from "../model/references.js";
import { IS_TEST_COLUMN, decodeReferences } from "../store/index.js";
import { type ReferenceGraph, buildReferenceGraph, moduleOf } from "./reference-graph.js";
import type { CommittedView, SearchSession } from "./search-repo.js";

/**
 * An entity as the structural tools see it: where it is and what it looks like, without its body
 * (the stored entity's id, place, names, signature, decorators and language; see `Chunk`).
 */
export interface StructureEntity
  extends Pick<Chunk, "id" | "path" | "kind" | "name" | "qualifiedName" | "parentQualifiedName" | "startLine" | "endLine" | "signature" | "decorators" | "language"> {
  /** First non-blank line of the docstring, or null. */
  summary: string | null;
  /** Test code by its language's conventions (lang/'s isTestCode, the `is_test` column). */
  isTest: boolean;
  /** Dotted module path from the file path (`pkg/mod.py` → `pkg.mod`, `pkg/__init__.py` → `pkg`). */
  module: string;
}

/** One committed index state as the structural tools use it. */
export interface StructureIndex {
  versionKey: string;
  /** Ordered by path, then start line. */
  entities: StructureEntity[];
  byId: Map<string, number>;
  /** Entity indexes by bare name. */
  byName: Map<string, number[]>;
  /** Entity indexes of each file, by start line. */
  byPath: Map<string, number[]>;
  /** Files whose catalog entry holds no reference record (indexed before references were recorded). */
  filesWithoutReferences: number;
  /** The resolved reference graph (built on first use). */
  graph(): ReferenceGraph;
  /** The resident table's view, for vector neighbours (null when the session keeps none yet). */
  view: CommittedView;
}

const STRUCTURE_COLUMNS = ["id", "path", "language", "kind", "name", "qualified_name", "parent_qualified_name", "start_line", "end_line", "signature", "docstring", "decorators", IS_TEST_COLUMN] as const;

const cached = new WeakMap<SearchSession, { key: string; index: Promise<StructureIndex> }>();

/**
 * Runs `use` with the structure of the session's committed index, read on the first call after
 * each commit the session follows (one LanceDB scan of the light columns and one catalog read) and
 * kept meanwhile, so later calls cost only the lookup itself.
 * @throws StoreError when the table or catalog cannot be read.
 */
export async function withStructure<T>(session: SearchSession, use: (structure: StructureIndex) => T | Promise<T>): Promise<T> {
  return session.readCommitted(async (view) => {
    let entry = cached.get(session);
    if (entry?.key !== view.versionKey) {
      const index = loadStructure(view);
      entry = { key: view.versionKey, index };
      cached.set(session, entry);
      index.catch(() => {
        if (cached.get(session)?.index === index) cached.delete(session);
      });
    }
    const structure = await entry.index;
    structure.view = view;
    return use(structure);
  });
}

async function loadStructure(view: CommittedView): Promise<StructureIndex> {
  const rows = await readStructureRows(view.table);
  const entities = rows.sort((a, b) => (a.path === b.path ? a.startLine - b.startLine : a.path < b.path ? -1 : 1));
  const byId = new Map<string, number>();
  const byName = new Map<string, number[]>();
  const byPath = new Map<string, number[]>();
  entities.forEach((entity, index) => {
    byId.set(entity.id, index);
    push(byName, entity.name, index);
    push(byPath, entity.path, index);
  });
  const { catalog } = await view.catalog();
  const references = new Map<string, FileReferences>();
  let filesWithoutReferences = 0;
  for (const [file, entry] of catalog) {
    if (entry.skipped) continue;
    if (entry.references) references.set(file, decodeReferences(entry.references));
    else filesWithoutReferences++;
  }
  let graph: ReferenceGraph | undefined;
  return {
    versionKey: view.versionKey,
    entities,
    byId,
    byName,
    byPath,
    filesWithoutReferences,
    graph: () => (graph ??= buildReferenceGraph(entities, byPath, references)),
    view,
  };
}

/**
 * Every entity's light columns, read column by column (one Arrow vector walk each; a row proxy per
 * row costs several times more at 100,000 rows).
 */
async function readStructureRows(table: lancedb.Table): Promise<StructureEntity[]> {
  let columns: Map<string, unknown[]>;
  try {
    const arrow = await table.query().select([...STRUCTURE_COLUMNS]).toArrow();
    columns = new Map(STRUCTURE_COLUMNS.map((name) => [name, Array.from((arrow.getChild(name) ?? []) as Iterable<unknown>)]));
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
  const column = (name: (typeof STRUCTURE_COLUMNS)[number]) => columns.get(name)!;
  const [ids, paths, languages, kinds, names, qualifiedNames, parents, startLines, endLines, signatures, docstrings, decorators, tests] = STRUCTURE_COLUMNS.map(column) as unknown[][];
  return ids!.map((id, row) => {
    const path = String(paths![row]);
    const docstring = (docstrings![row] as string | null) ?? null;
    return {
      id: String(id),
      path,
      kind: kinds![row] as EntityKind,
      name: String(names![row]),
      qualifiedName: String(qualifiedNames![row]),
      parentQualifiedName: (parents![row] as string | null) ?? null,
      startLine: Number(startLines![row]),
      endLine: Number(endLines![row]),
      signature: String(signatures![row]),
      summary: docstring?.split("\n").find((line) => line.trim() !== "")?.trim() ?? null,
      decorators: JSON.parse(String(decorators![row])) as string[],
      isTest: Boolean(tests![row]),
      module: moduleOf(path),
      language: String(languages![row]),
    };
  });
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
