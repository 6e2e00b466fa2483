import { CodesearchError, ExitCode, ModelLoadError, describeError } from "../model/errors.js";
import type { ExitCodeValue } from "../model/errors.js";

/** How a fatal error is shown: the exit code, a stable code for JSON, and the lines for stderr. */
export interface FatalReport {
  exitCode: ExitCodeValue;
  code: string;
  message: string;
  details: string[];
}

/**
 * Classifies a thrown value. `CodesearchError`s keep their exit code; a model that could not be
 * found offers the bundled `codesearch-small`; anything else is a bug (exit 70) and says so.
 */
export function toFatalReport(error: unknown): FatalReport {
  if (error instanceof CodesearchError) {
    const details =
      error instanceof ModelLoadError && error.missingFiles.length > 0
        ? [
            `missing model files: ${error.missingFiles.join(", ")}`,
            "without hub access, --model codesearch-small (shipped with codesearch, no download) gives semantic search",
          ]
        : [];
    return { exitCode: error.exitCode, code: error.code, message: error.message, details };
  }
  return {
    exitCode: ExitCode.Internal,
    code: "internal",
    message: `unexpected error: ${describeError(error)}`,
    details: error instanceof Error && error.stack ? [error.stack] : [],
  };
}
