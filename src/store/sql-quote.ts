/**
 * The one way values enter LanceDB filter strings. LanceDB (DataFusion SQL) has no bound
 * parameters, so every literal goes through here.
 */

/**
 * A SQL string literal for `value`: wrapped in single quotes, with each `'` doubled (standard SQL;
 * backslashes have no special meaning in DataFusion string literals).
 * @throws Error when `value` contains a NUL character, which no path or name can hold.
 */
export function quoteSqlString(value: string): string {
  if (value.includes("\0")) throw new Error("NUL character in a SQL string literal");
  return `'${value.replaceAll("'", "''")}'`;
}

/** `column IN ('a', 'b')` for a non-empty list of string values, each quoted by {@link quoteSqlString}. */
export function sqlInList(column: string, values: readonly string[]): string {
  if (values.length === 0) throw new Error("sqlInList needs at least one value");
  return `${column} IN (${values.map(quoteSqlString).join(", ")})`;
}

/**
 * A column name quoted for LanceDB's SQL, in backticks: `is_test` → `` `is_test` ``.
 * @throws RangeError for an empty name or one containing a backtick, which LanceDB cannot resolve
 *   even when the backtick is doubled.
 */
export function quoteSqlIdentifier(name: string): string {
  if (name === "" || name.includes("`")) throw new RangeError(`cannot use ${JSON.stringify(name)} as a LanceDB column name`);
  return `\`${name}\``;
}
