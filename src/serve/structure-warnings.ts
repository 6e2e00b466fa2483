import type { StructureIndex } from "../pipeline/index.js";

/**
 * Warnings the structural tools add about the index itself: files indexed before reference sites
 * were recorded (their references are missing until the next index run reads them again).
 */
export function structureWarnings(structure: StructureIndex, usesReferences: boolean): string[] {
  if (!usesReferences || structure.filesWithoutReferences === 0) return [];
  return [`${structure.filesWithoutReferences} files were indexed before references were recorded, so their references are missing: run reindex (it reads them again; no entity is re-embedded)`];
}
