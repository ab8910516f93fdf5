import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  errors,
  exportJWK,
  importJWK,
  importPKCS8,
  importSPKI,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import type { Clock } from "./clock";
import { epochSeconds } from "./clock";
import { AppError } from "./errors";

/**
 * Access, refresh and tenant access tokens differ in their `typ` header, so none is ever accepted
 * as another (a tenant access token is bound to one tenant: docs/tenants.md).
 */
export const TOKEN_TYPES = { access: "at+jwt", refresh: "rt+jwt", tenant: "tenant+jwt" } as const;
export type TokenKind = keyof typeof TOKEN_TYPES;

const ALGORITHM = "RS256";

interface KeyRing {
  kid: string;
  signingKey: CryptoKey;
  verificationKeys: Map<string, CryptoKey>;
  jwks: { keys: JWK[] };
}

const keyRings = new Map<string, Promise<KeyRing>>();

function publicJwk(jwk: JWK): JWK {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e };
}

async function buildKeyRing(privateKeyPem: string, previousPublicKeysPem?: string): Promise<KeyRing> {
  const signingKey = await importPKCS8(privateKeyPem, ALGORITHM, { extractable: true });
  const current = publicJwk(await exportJWK(signingKey));
  const kid = await calculateJwkThumbprint(current);
  const verificationKeys = new Map<string, CryptoKey>([
    [kid, (await importJWK(current, ALGORITHM)) as CryptoKey],
  ]);
  const keys: JWK[] = [{ ...current, kid, alg: ALGORITHM, use: "sig" }];
  const previousPems =
    previousPublicKeysPem?.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  for (const pem of previousPems) {
    const key = await importSPKI(pem, ALGORITHM, { extractable: true });
    const jwk = publicJwk(await exportJWK(key));
    const previousKid = await calculateJwkThumbprint(jwk);
    if (verificationKeys.has(previousKid)) continue;
    verificationKeys.set(previousKid, key);
    keys.push({ ...jwk, kid: previousKid, alg: ALGORITHM, use: "sig" });
  }
  return { kid, signingKey, verificationKeys, jwks: { keys } };
}

/**
 * Keys are imported once per isolate for each distinct secret value (RSA import costs
 * milliseconds); a rotated secret simply produces a new ring.
 */
function keyRingFor(privateKeyPem: string, previousPublicKeysPem?: string): Promise<KeyRing> {
  const cacheKey = `${privateKeyPem}\u0000${previousPublicKeysPem ?? ""}`;
  let ring = keyRings.get(cacheKey);
  if (!ring) {
    ring = buildKeyRing(privateKeyPem, previousPublicKeysPem);
    ring.catch(() => keyRings.delete(cacheKey));
    keyRings.set(cacheKey, ring);
  }
  return ring;
}

/**
 * True when `JwtService.verify` refused a token because it is past its `exp` (the signature was
 * checked first), so callers can tell an expired token from a forged or malformed one.
 */
export function isExpiredTokenError(error: unknown): boolean {
  return error instanceof AppError && error.cause instanceof errors.JWTExpired;
}

/**
 * The kind a token's unverified `typ` header names, or undefined: only to choose which check to
 * run (the check itself pins the type again), never to trust anything.
 */
export function claimedTokenKind(token: string): TokenKind | undefined {
  try {
    const { typ } = decodeProtectedHeader(token);
    const entry = Object.entries(TOKEN_TYPES).find(([, type]) => type === typ);
    return entry?.[0] as TokenKind | undefined;
  } catch {
    return undefined;
  }
}

export interface JwtOptions {
  issuer: string;
  /** The `aud` of access tokens: the apps that accept them. */
  audience: string;
  privateKeyPem: string;
  previousPublicKeysPem?: string;
}

/**
 * Refresh tokens are addressed to this service itself (`aud` = `iss`): nobody else ever reads them,
 * so an app that checks `aud` but forgets `typ` can never take one for an access token (RFC 8725
 * §3.9, §3.11). Access tokens are addressed to the apps (`audience`).
 */
function audienceOf(kind: TokenKind, options: JwtOptions): string {
  return kind === "refresh" ? options.issuer : options.audience;
}

/**
 * RS256 JWTs with a `kid` (the key's RFC 7638 thumbprint), the algorithm pinned on verification,
 * `iss`/`aud`/`exp` checked against the injected clock, and a JWKS of the current and previous keys.
 *
 * @example
 * const jwt = new JwtService(options, clock);
 * const token = await jwt.sign("access", { sub: "usr_…" }, 900);
 * const claims = await jwt.verify("access", token);
 */
export class JwtService {
  constructor(
    private readonly options: JwtOptions,
    private readonly clock: Clock,
  ) {}

  private ring(): Promise<KeyRing> {
    return keyRingFor(this.options.privateKeyPem, this.options.previousPublicKeysPem);
  }

  /**
   * `issuedAt` (epoch seconds) defaults to now; passing a past token's `iat` with the same claims
   * reproduces that token byte for byte (RS256 signatures are deterministic).
   */
  async sign(
    kind: TokenKind,
    claims: JWTPayload,
    ttlSeconds: number,
    issuedAt: number = epochSeconds(this.clock),
  ): Promise<string> {
    const ring = await this.ring();
    const now = issuedAt;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, kid: ring.kid, typ: TOKEN_TYPES[kind] })
      .setIssuer(this.options.issuer)
      .setAudience(audienceOf(kind, this.options))
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(ring.signingKey);
  }

  /** The verified claims; `AppError("INVALID_TOKEN")` for anything else, with no detail on why. */
  async verify(kind: TokenKind, token: string): Promise<JWTPayload> {
    const ring = await this.ring();
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = kid ? ring.verificationKeys.get(kid) : undefined;
      if (!key) throw new Error("unknown kid");
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: audienceOf(kind, this.options),
        typ: TOKEN_TYPES[kind],
        currentDate: this.clock.now(),
        requiredClaims: ["sub", "exp", "iat"],
      });
      return payload;
    } catch (error) {
      throw new AppError("INVALID_TOKEN", undefined, { cause: error });
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return (await this.ring()).jwks;
  }
}
