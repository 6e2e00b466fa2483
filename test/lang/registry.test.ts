import { describe, expect, it } from "vitest";
import { LANGUAGES, isSourcePath, languageById, languageForPath, languageForShebang } from "../../src/lang/index.js";
import { ENTITY_KINDS } from "../../src/model/entity-kinds.js";

describe("the language registry", () => {
  it("finds a language by extension, by id and by #! line, and nothing for other files", () => {
    expect(languageForPath("pkg/mod.py")?.id).toBe("python");
    expect(languageForPath("pkg/mod.py.orig")).toBeNull();
    expect(languageForPath("README")).toBeNull();
    expect(isSourcePath("notes.txt")).toBe(false);
    expect(languageById("python")?.displayName).toBe("Python");
    expect(languageById("cobol")).toBeNull();
    expect(languageForShebang("#!/usr/bin/env python3")?.id).toBe("python");
    expect(languageForShebang("#!/usr/bin/python -u")?.id).toBe("python");
    expect(languageForShebang("#!/bin/sh")).toBeNull();
  });

  it("gives every language a unique id and extensions, and only known kinds", () => {
    const ids = LANGUAGES.map((language) => language.id);
    expect(new Set(ids).size).toBe(ids.length);
    const extensions = LANGUAGES.flatMap((language) => language.extensions);
    expect(new Set(extensions).size).toBe(extensions.length);
    for (const language of LANGUAGES) {
      for (const kind of [...language.kinds, ...language.outlineKinds]) expect(ENTITY_KINDS).toContain(kind);
    }
  });
});
