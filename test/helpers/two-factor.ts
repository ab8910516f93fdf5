import { expect } from "vitest";
import type { TwoFactorEnableResponse } from "../../src/features/two-factor/routes/enable";
import type { TwoFactorSetupResponse } from "../../src/features/two-factor/routes/setup";
import { totpCode, totpStep } from "../../src/features/two-factor/totp";
import type { Clock } from "../../src/platform/clock";
import { bearer, type Harness, jsonRequest, register, type Send } from "./accounts";

/** The code an authenticator app shows for `secret` at the clock's time, `offset` steps away. */
export function codeAt(secret: string, clock: Clock, offset = 0): string {
  return totpCode(secret, totpStep(clock.now().getTime()) + offset);
}

/** POST with a JSON body and a bearer token. */
export function authed(send: Send, path: string, token: string, body?: unknown): Promise<Response> {
  return send(
    path,
    body === undefined ? { method: "POST", headers: bearer(token) } : jsonRequest(body, bearer(token)),
  );
}

/** `POST /auth/2fa/setup` as `token`'s user; expects 200. */
export async function setupTotp(send: Send, token: string): Promise<TwoFactorSetupResponse> {
  const response = await authed(send, "/auth/2fa/setup", token);
  expect(response.status).toBe(200);
  return (await response.json()) as TwoFactorSetupResponse;
}

/**
 * A registered user with TOTP on (set up and enabled through the Worker at the harness clock's
 * time). The enabling code's step is used, so the clock is moved one step on: the next code works.
 */
export async function userWithTotp(harness: Harness) {
  const registered = await register(harness.send);
  const { secret } = await setupTotp(harness.send, registered.tokens.accessToken);
  const response = await authed(harness.send, "/auth/2fa/enable", registered.tokens.accessToken, {
    code: codeAt(secret, harness.clock),
  });
  expect(response.status).toBe(200);
  const { recoveryCodes } = (await response.json()) as TwoFactorEnableResponse;
  harness.clock.advance(30_000);
  return { ...registered, secret, recoveryCodes };
}

/** `POST /auth/login` with a second factor. */
export function loginWithCode(send: Send, identifier: string, password: string, twoFactorCode?: string) {
  return send("/auth/login", jsonRequest({ identifier, password, twoFactorCode }));
}

/** The code of the latest `two-factor-code` e-mail the harness recorded for `to`. */
export function lastEmailedCode(harness: Harness, to: string): string {
  const message = harness.emails
    .filter((email) => email.template === "two-factor-code" && email.to === to)
    .at(-1);
  expect(message, `a two-factor-code e-mail to ${to}`).toBeDefined();
  return message!.data.code!;
}
