import { AppError } from "./errors";

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header (RFC 6750), or undefined when there is none. */
export function parseBearer(authorization: string | undefined | null): string | undefined {
  return (authorization ? BEARER.exec(authorization) : null)?.[1];
}

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750); 401 when the header is
 * missing or is not a bearer credential.
 */
export function bearerToken(authorization: string | undefined | null): string {
  const token = parseBearer(authorization);
  if (!token)
    throw new AppError(
      "UNAUTHENTICATED",
      "Send an access token or an API token as `Authorization: Bearer <token>`",
    );
  return token;
}
