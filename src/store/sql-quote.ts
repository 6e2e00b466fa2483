/**
 * The one place filter values become SQL. LanceDB takes filters as SQL text with no bound
 * parameters, so every value from a user, a path or a name goes through {@link quoteSqlString}.
 */

/**
 * A SQL string literal for LanceDB (DataFusion): wrapped in single quotes, each `'` doubled.
 * Backslashes, newlines, NUL and any Unicode stay literal: LanceDB's SQL has no backslash escapes.
 * `it's` → `'it''s'`.
 */
export function quoteSqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A column name quoted for LanceDB's SQL, in backticks: `start_line` → `` `start_line` ``.
 * @throws RangeError for an empty name or one containing a backtick, which LanceDB cannot resolve
 *   even when the backtick is doubled.
 */
export function quoteSqlIdentifier(name: string): string {
  if (name === "" || name.includes("`")) throw new RangeError(`cannot use ${JSON.stringify(name)} as a LanceDB column name`);
  return `\`${name}\``;
}

/**
 * `column IN ('a', 'b')` with every value quoted by {@link quoteSqlString}.
 * @throws RangeError when `values` is empty (an empty `IN ()` is not valid SQL; decide before calling)
 *   or the column name is refused by {@link quoteSqlIdentifier}.
 */
export function sqlIn(column: string, values: readonly string[]): string {
  if (values.length === 0) throw new RangeError(`no values for ${column} IN (...)`);
  return `${quoteSqlIdentifier(column)} IN (${values.map(quoteSqlString).join(", ")})`;
}
