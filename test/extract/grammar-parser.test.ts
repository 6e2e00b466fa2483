// Issue 22: an index run extracts entities and then references from the same text; the grammar's
// parser keeps its latest tree so that the second pass does not parse the file again.
import { describe, expect, it } from "vitest";
import { extractEntities } from "../../src/extract/extract-entities.js";
import { extractReferences } from "../../src/extract/extract-references.js";
import { loadGrammarParser } from "../../src/extract/grammar-parser.js";
import { languageById } from "../../src/lang/index.js";

const SOURCE = 'import os\n\n\ndef send_welcome_email(user):\n    """Send the welcome email."""\n    return os.path.join(user.home, "mail")\n';

describe("the shared grammar parser", () => {
  it("parses a text once for consecutive passes over it, and again once the text differs", async () => {
    const python = languageById("python")!;
    const parser = await loadGrammarParser(python.grammar, python.definitionsQuery);
    const first = parser.parse(SOURCE, (root) => ({ tree: root.tree, text: root.text }));
    const again = parser.parse(SOURCE, (root) => ({ tree: root.tree, text: root.text }));
    expect(again.tree).toBe(first.tree);
    const other = parser.parse(`${SOURCE}\nx = 1\n`, (root) => ({ tree: root.tree, text: root.text }));
    expect(other.tree).not.toBe(first.tree);
    expect(other.text).toBe(`${SOURCE}\nx = 1\n`);
    // Back to the first text: a fresh tree of that text.
    expect(parser.parse(SOURCE, (root) => root.text)).toBe(SOURCE);
  });

  it("gives entities and references of a file the same answers whichever pass comes first", async () => {
    const entitiesFirst = { entities: await extractEntities("mail.py", SOURCE), references: await extractReferences("mail.py", SOURCE) };
    await extractEntities("other.py", "def unrelated():\n    return 1\n"); // another text in between
    const referencesFirst = { references: await extractReferences("mail.py", SOURCE), entities: await extractEntities("mail.py", SOURCE) };
    expect(referencesFirst.entities).toEqual(entitiesFirst.entities);
    expect(referencesFirst.references).toEqual(entitiesFirst.references);
    expect(entitiesFirst.entities.entities.map((e) => e.qualifiedName)).toEqual(["send_welcome_email"]);
    expect(entitiesFirst.references.sites.map((s) => s.name)).toContain("join");
  });
});
