import { AppError } from "../../../platform/errors";
import type { SingleUseTokenState } from "./repository";

/**
 * The error for a reset or verification token that could not be used. The holder of a token may
 * learn why it failed (they hold it); nobody learns anything about other tokens or accounts.
 */
export function unusableTokenError(state: SingleUseTokenState | "unknown"): AppError {
  switch (state) {
    case "used":
    case "superseded":
      return new AppError("CONFLICT", "This token was already used or replaced by a newer one");
    case "expired":
      return new AppError("GONE", "This token has expired; request a new one");
    default:
      return new AppError("VALIDATION_FAILED", "The token is not valid", {
        errors: [{ field: "body.token", message: "is not a valid token" }],
      });
  }
}
