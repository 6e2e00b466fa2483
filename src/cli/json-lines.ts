import { readFile } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { UsageError, describeError } from "../model/errors.js";

/**
 * Reads a JSON-lines file given on the command line (relative to `cwd`) and parses each non-blank
 * line with `schema`.
 * @param expected the shape a line must have, shown in the error (`{"query": "..."}`).
 * @returns the parsed lines, in file order.
 * @throws UsageError when the file cannot be read, or naming the first bad line (1-based).
 */
export async function readJsonLines<T>(cwd: string, file: string, schema: z.ZodType<T>, expected: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read queries file ${file}: ${describeError(error)}`, { cause: error });
  }
  return parseJsonLines(text, file, schema, expected);
}

/**
 * Parses JSON-lines `text`: one value per non-blank line, each checked with `schema`.
 * @throws UsageError naming the first bad line (1-based) of `fileName`.
 */
export function parseJsonLines<T>(text: string, fileName: string, schema: z.ZodType<T>, expected: string): T[] {
  const values: T[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`${fileName}:${i + 1}: not valid JSON (${describeError(error)})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new UsageError(`${fileName}:${i + 1}: expected ${expected}`);
    values.push(parsed.data);
  }
  return values;
}
