import { AppError } from "./errors";

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750); 401 when the header is
 * missing or is not a bearer credential.
 */
export function bearerToken(authorization: string | undefined | null): string {
  const match = authorization ? BEARER.exec(authorization) : null;
  if (!match)
    throw new AppError("UNAUTHENTICATED", "Send an access token as `Authorization: Bearer <token>`");
  return match[1]!;
}
