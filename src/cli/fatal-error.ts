import { CodesearchError, ExitCode, ModelLoadError, describeError } from "../model/errors.js";
import type { ExitCodeValue } from "../model/errors.js";
import { BUNDLED_MODELS, requiredModelFiles } from "../embed/index.js";

/** How a fatal error is shown: the exit code, a stable code for JSON, and the lines for stderr. */
export interface FatalReport {
  exitCode: ExitCodeValue;
  code: string;
  message: string;
  details: string[];
}

/**
 * What to do about a model that did not load: the missing files (once), and, for a hub model, the
 * ways to index without the hub: the model shipped with codesearch, a local folder, a mirror, or
 * filling the download cache by hand.
 */
export function modelLoadHelp(error: ModelLoadError): string[] {
  const lines: string[] = [];
  if (error.missingFiles.length > 0) {
    lines.push(`missing model files${error.modelDir ? ` in ${error.modelDir}` : ""}: ${error.missingFiles.join(", ")}`);
  }
  if (error.hubId === undefined) {
    if (error.modelDir !== undefined) lines.push(`a model folder holds ${requiredModelFiles(true).join(", ")} (a Hugging Face ONNX export); or use --model ${SHIPPED_MODEL}, shipped with codesearch`);
    return lines;
  }
  lines.push(
    "without the Hugging Face hub, any of these works:",
    `  --model ${SHIPPED_MODEL}   the model shipped with codesearch (no download)`,
    `  --model <folder>           a model folder you have: ${requiredModelFiles(true).join(", ")}`,
    `  HF_ENDPOINT=<url>          a hub mirror serving <url>/${error.hubId}/resolve/main/<file>`,
    `  copy the files into ${error.modelDir ?? "the model cache"}/ (the download cache; CODESEARCH_MODEL_CACHE moves it), then run again`,
  );
  return lines;
}

/** The model shipped inside the codesearch package (`models/codesearch-small`), selectable by this name. */
const SHIPPED_MODEL = BUNDLED_MODELS[0] ?? "codesearch-small";

/**
 * Classifies a thrown value. `CodesearchError`s keep their exit code (a model that did not load
 * says what to do, see {@link modelLoadHelp}); anything else is a bug (exit 70) and says so.
 */
export function toFatalReport(error: unknown): FatalReport {
  if (error instanceof CodesearchError) {
    const details = error instanceof ModelLoadError ? modelLoadHelp(error) : [];
    return { exitCode: error.exitCode, code: error.code, message: error.message, details };
  }
  return {
    exitCode: ExitCode.Internal,
    code: "internal",
    message: `unexpected error: ${describeError(error)}`,
    details: error instanceof Error && error.stack ? [error.stack] : [],
  };
}
