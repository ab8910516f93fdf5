import { env } from "cloudflare:test";
import { importJWK, type JWK, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { TenantLoginResponse } from "../../../src/features/tenants/routes/login";
import {
  bearer,
  createHarness,
  decodeJwt,
  expectInvalidFields,
  expectProblem,
  type Harness,
  jsonRequest,
  login,
  register,
} from "../../helpers/accounts";
import { rootUser } from "../../helpers/api-tokens";
import { agentOf, createTenant, mfaVerify, putRole, tenantLogin, tenantSignIn } from "../../helpers/tenants";
import { codeAt, lastEmailedCode, userWithTotp } from "../../helpers/two-factor";

describe("POST /tenants/{slug}/login and mfa/verify", () => {
  let harness: Harness;
  let root: string;
  let slug: string;
  let otherSlug: string;

  beforeAll(async () => {
    harness = createHarness();
    root = (await rootUser(harness.send)).accessToken;
    slug = (await createTenant(harness.send, root, { session_timeout_seconds: 1800 })).slug;
    otherSlug = (await createTenant(harness.send, root)).slug;
  }, 60_000);

  it("signs an agent without 2FA in at once with a tenant access token the JWKS verifies", async () => {
    const agent = await agentOf(harness.send, root, slug, "gestor");
    const body = await tenantSignIn(harness.send, slug, agent.account.email, agent.account.password);
    expect(body).toMatchObject({
      agent_id: agent.userId,
      mfa_required: false,
      session_timeout_seconds: 1800,
    });
    expect(body.expires_in).toBe(1800);
    expect(Date.parse(body.expires_at)).toBe(harness.clock.now().getTime() + 1_800_000);
    const { header, payload } = decodeJwt(body.access_token);
    expect(header).toMatchObject({ alg: "RS256", typ: "tenant+jwt" });
    expect(payload).toMatchObject({ sub: agent.userId, tenant: slug, role: "gestor" });
    expect(payload.exp).toBe(Math.floor(Date.parse(body.expires_at) / 1000));
    const jwks = (await (await harness.send("/.well-known/jwks.json")).json()) as { keys: JWK[] };
    const key = await importJWK(jwks.keys.find((k) => k.kid === header.kid)!, "RS256");
    const verified = await jwtVerify(body.access_token, key, { typ: "tenant+jwt", algorithms: ["RS256"] });
    expect(verified.payload.sid).toMatch(/^ses_/);
    // The roles list works with it (gestor), /auth/me does not (a tenant token is not a global one).
    expect(
      (await harness.send(`/tenants/${slug}/roles`, { headers: bearer(body.access_token) })).status,
    ).toBe(200);
    expect((await harness.send("/auth/me", { headers: bearer(body.access_token) })).status).toBe(403);
  });

  it("ends the agent's tenant sessions with logout-all and with a password change, as it ends their own tokens", async () => {
    const roles = (token: string) => harness.send(`/tenants/${slug}/roles`, { headers: bearer(token) });
    const agent = await agentOf(harness.send, root, slug, "gestor");
    const before = await tenantSignIn(harness.send, slug, agent.account.email, agent.account.password);
    expect((await roles(before.access_token)).status).toBe(200);
    const logoutAll = await harness.send(
      "/auth/logout",
      jsonRequest({ refreshToken: agent.tokens.refreshToken, all: true }),
    );
    expect(logoutAll.status).toBe(204);
    await expectProblem(await roles(before.access_token), 401);

    const again = await tenantSignIn(harness.send, slug, agent.account.email, agent.account.password);
    expect((await roles(again.access_token)).status).toBe(200);
    const signedIn = await login(harness.send, agent.account.email, agent.account.password);
    const changed = await harness.send(
      "/auth/password",
      jsonRequest(
        { currentPassword: agent.account.password, newPassword: "a brand new tenant passphrase" },
        bearer(signedIn.accessToken),
      ),
    );
    expect(changed.status).toBe(200);
    await expectProblem(await roles(again.access_token), 401);
  });

  it("gives the identical 401 for unknown tenant, disabled tenant, unknown e-mail, wrong password and non-agent", async () => {
    const agent = await agentOf(harness.send, root, slug, "usuario");
    const outsider = await register(harness.send);
    const disabled = await createTenant(harness.send, root);
    const disabledAgent = await agentOf(harness.send, root, disabled.slug, "usuario");
    const patch = await harness.send(`/api/tenants/${disabled.slug}`, {
      method: "PATCH",
      headers: { ...bearer(root), "content-type": "application/json" },
      body: JSON.stringify({ status: "disabled" }),
    });
    expect(patch.status).toBe(200);
    const attempts = [
      tenantLogin(harness.send, "no-such-tenant-x", agent.account.email, agent.account.password),
      tenantLogin(harness.send, disabled.slug, disabledAgent.account.email, disabledAgent.account.password),
      tenantLogin(harness.send, slug, "nobody@example.com", agent.account.password),
      tenantLogin(harness.send, slug, agent.account.email, "wrong password entirely"),
      tenantLogin(harness.send, slug, outsider.account.email, outsider.account.password),
      tenantLogin(harness.send, otherSlug, agent.account.email, agent.account.password),
    ];
    const bodies = [];
    for (const response of await Promise.all(attempts)) {
      const problem = await expectProblem(response, 401, "INVALID_CREDENTIALS");
      bodies.push({ ...problem, requestId: undefined });
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    const reasons = (await harness.auditRows())
      .filter((row) => row.event === "tenant.login" && row.result === "failure")
      .map((row) => row.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        "unknown_tenant",
        "disabled_tenant",
        "unknown_user",
        "bad_password",
        "not_agent",
      ]),
    );
  });

  it("validates the body", async () => {
    const response = await harness.send(`/tenants/${slug}/login`, jsonRequest({ email: "not-an-email" }));
    expect((await expectInvalidFields(response)).sort()).toEqual(["body.email", "body.password"]);
  });

  it("keeps a TOTP agent pending until mfa/verify, accepts a code once, and refuses a pending session as a credential", async () => {
    const agent = await userWithTotp(harness);
    await putRole(harness.send, root, slug, agent.userId, "admin");
    const response = await tenantLogin(harness.send, slug, agent.account.email, agent.account.password);
    expect(response.status).toBe(200);
    const pending = (await response.json()) as TenantLoginResponse;
    expect(pending).toMatchObject({ mfa_required: true, agent_id: agent.userId });
    expect(pending.access_token).toBeUndefined();
    expect(Date.parse(pending.expires_at) - harness.clock.now().getTime()).toBe(300_000);
    // The pending session id is no credential anywhere.
    expect(
      (await harness.send(`/tenants/${slug}/roles`, { headers: bearer(pending.session_id) })).status,
    ).toBe(401);
    harness.clock.advance(60_000);
    // Another tenant does not know the session.
    const code = codeAt(agent.secret, harness.clock);
    await expectProblem(
      await mfaVerify(harness.send, otherSlug, { session_id: pending.session_id, code, method: "totp" }),
      401,
    );
    const verified = await mfaVerify(harness.send, slug, {
      session_id: pending.session_id,
      code,
      method: "totp",
    });
    expect(verified.status, await verified.clone().text()).toBe(200);
    const active = (await verified.json()) as TenantLoginResponse;
    expect(active).toMatchObject({ mfa_required: false, session_id: pending.session_id, expires_in: 1740 });
    expect(decodeJwt(active.access_token!).payload).toMatchObject({ role: "admin", tenant: slug });
    // The same session cannot be verified twice, and the same TOTP step is refused on a new one.
    await expectProblem(
      await mfaVerify(harness.send, slug, { session_id: pending.session_id, code, method: "totp" }),
      401,
    );
    const again = (await (
      await tenantLogin(harness.send, slug, agent.account.email, agent.account.password)
    ).json()) as TenantLoginResponse;
    await expectProblem(
      await mfaVerify(harness.send, slug, { session_id: again.session_id, code, method: "totp" }),
      401,
      "INVALID_TWO_FACTOR_CODE",
    );
    // A recovery code works once.
    const recovery = agent.recoveryCodes[0]!;
    expect(
      (
        await mfaVerify(harness.send, slug, {
          session_id: again.session_id,
          code: recovery,
          method: "recovery",
        })
      ).status,
    ).toBe(200);
    const third = (await (
      await tenantLogin(harness.send, slug, agent.account.email, agent.account.password)
    ).json()) as TenantLoginResponse;
    await expectProblem(
      await mfaVerify(harness.send, slug, {
        session_id: third.session_id,
        code: recovery,
        method: "recovery",
      }),
      401,
    );
    const events = (await harness.auditRows()).map((row) => `${row.event}:${row.result}`);
    expect(events).toEqual(
      expect.arrayContaining(["tenant.mfa.verify:success", "tenant.mfa.verify:failure"]),
    );
  });

  it("e-mails a code when the tenant requires MFA of an agent without 2FA, and kills the session after 5 wrong codes", async () => {
    const strict = await createTenant(harness.send, root, { mfa_required: true });
    const agent = await agentOf(harness.send, root, strict.slug, "usuario");
    const login = async () =>
      (await (
        await tenantLogin(harness.send, strict.slug, agent.account.email, agent.account.password)
      ).json()) as TenantLoginResponse;
    const first = await login();
    expect(first.mfa_required).toBe(true);
    const code = lastEmailedCode(harness, agent.account.email);
    const ok = await mfaVerify(harness.send, strict.slug, {
      session_id: first.session_id,
      code,
      method: "email",
    });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const second = await login();
    const details: string[] = [];
    for (let i = 0; i < 5; i++) {
      const wrong = await mfaVerify(harness.send, strict.slug, {
        session_id: second.session_id,
        code: "000000",
        method: "email",
      });
      details.push((await expectProblem(wrong, 401)).detail ?? "");
    }
    expect(details.at(-1)).toMatch(/session has ended/);
    const late = lastEmailedCode(harness, agent.account.email);
    await expectProblem(
      await mfaVerify(harness.send, strict.slug, {
        session_id: second.session_id,
        code: late,
        method: "email",
      }),
      401,
      "INVALID_CREDENTIALS",
    );
  });

  it("lets a pending session expire after 5 minutes", async () => {
    const agent = await userWithTotp(harness);
    await putRole(harness.send, root, slug, agent.userId, "usuario");
    const pending = (await (
      await tenantLogin(harness.send, slug, agent.account.email, agent.account.password)
    ).json()) as TenantLoginResponse;
    harness.clock.advance(301_000);
    await expectProblem(
      await mfaVerify(harness.send, slug, {
        session_id: pending.session_id,
        code: codeAt(agent.secret, harness.clock),
        method: "totp",
      }),
      401,
      "INVALID_CREDENTIALS",
    );
  });

  it("stores sessions hashed", async () => {
    const agent = await agentOf(harness.send, root, slug, "usuario");
    const body = await tenantSignIn(harness.send, slug, agent.account.email, agent.account.password);
    const { results } = await env.DB.prepare("SELECT session_hash FROM tenant_sessions WHERE user_id = ?")
      .bind(agent.userId)
      .all<{ session_hash: string }>();
    expect(results).toHaveLength(1);
    expect(results[0]!.session_hash).not.toContain(body.session_id);
    expect(results[0]!.session_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
