// The synthetic modules of the integrity benchmarks: `pkg/mod_<i>.py`, each with `perFile` distinct
// small functions `f_<i>_<j>` (the shape of test/support/index-snapshot.ts's writeSyntheticRepo).

/** The text of module `i` with `perFile` functions; `tag` is appended to each docstring (an edit). */
export function moduleText(i, perFile, tag = "") {
  const body = Array.from({ length: perFile }, (_, j) =>
    [`def f_${i}_${j}(value_${j}, limit=${j + 1}):`, `    """Scale value ${j} of module ${i} and clamp it to the limit${tag}."""`, `    return min(value_${j} * ${i + 1}, limit)`, ""].join("\n"),
  ).join("\n");
  return `"""Module ${i}."""\n\n${body}`;
}
