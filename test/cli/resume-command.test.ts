import { describe, expect, it } from "vitest";
import { invokedProgram, resumeCommandLine } from "../../src/cli/resume-command.js";

describe("invokedProgram: the program as the user can type it again", () => {
  const env = { PATH: "/nonexistent-bin" };
  it.each([
    ["the installed bin link, typed by its path", ["/usr/bin/node", "/opt/tools/node_modules/.bin/codesearch"], {}, "/opt", "/opt/tools/node_modules/.bin/codesearch"],
    ["npx", ["/usr/bin/node", "/x/node_modules/.bin/codesearch"], { npm_command: "exec" }, "/x", "npx codesearch"],
    ["node and the clone's script, from the clone", ["/usr/bin/node", "/src/codesearch/bin/codesearch.js"], {}, "/src/codesearch", "node bin/codesearch.js"],
    ["node and a script elsewhere", ["/usr/bin/node", "/src/codesearch/bin/codesearch.js"], {}, "/home/me/app", "node /src/codesearch/bin/codesearch.js"],
  ])("%s", (_name, argv, extraEnv, cwd, expected) => {
    expect(invokedProgram(argv, { ...env, ...extraEnv }, cwd)).toBe(expected);
  });

  it("quotes the arguments for a POSIX shell", () => {
    expect(resumeCommandLine(["index", "my repo", "--model", "codesearch-small"], "/opt/x/codesearch")).toBe("/opt/x/codesearch index 'my repo' --model codesearch-small");
  });
});
