import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { type Config, loadConfig } from "../../src/config";
import { InitialAdmin } from "../../src/features/accounts/initial-admin/service";
import { AuditLogRepository } from "../../src/features/audit/repository";
import { AuditService } from "../../src/features/audit/service";
import { TenantRepository } from "../../src/features/tenants/repository";
import { UserRepository } from "../../src/features/users/repository";
import { NO_CLIENT } from "../../src/platform/client-info";
import { ManualClock } from "../../src/platform/clock";
import { createLogger } from "../../src/platform/logger";
import { PasswordHasher } from "../../src/platform/password";
import { cryptoRandom } from "../../src/platform/random";
import { describeOnEachDialect, unique } from "../helpers/dialects";
import { PRODUCTION_PASSWORD_COST } from "../helpers/password-cost";

describeOnEachDialect("InitialAdmin", (db) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));

  function bootstrapper(config: Config) {
    const database = db();
    return new InitialAdmin({
      config,
      db: database,
      users: new UserRepository(database),
      tenants: new TenantRepository(database, clock, cryptoRandom),
      passwords: new PasswordHasher(config.passwordHash, cryptoRandom),
      audit: new AuditService(new AuditLogRepository(database), clock, cryptoRandom, {
        requestId: "req_contract",
        client: NO_CLIENT,
      }),
      clock,
      random: cryptoRandom,
      logger: createLogger("error", {}, () => {}),
    });
  }

  function adminConfig(): Config {
    const name = unique("root");
    // A production configuration has production's Argon2id cost, not the test project's cheap one.
    return {
      ...loadConfig({ ...env, ...PRODUCTION_PASSWORD_COST }),
      environment: "production",
      initialAdmin: {
        username: name,
        email: `${name}@example.com`,
        password: "a long and unusual admin passphrase",
        tenants: [unique("tenant-b"), unique("tenant-a")],
      },
    };
  }

  it("creates the admin exactly once when many isolates race on a fresh database", async () => {
    const config = adminConfig();
    const results = await Promise.all(Array.from({ length: 6 }, () => bootstrapper(config).create()));
    expect(results.filter(Boolean)).toHaveLength(1);
    const users = new UserRepository(db());
    const admin = await users.findByLogin(config.initialAdmin.username!);
    expect(admin).toMatchObject({ role: "root", status: "active", email: config.initialAdmin.email });
    expect(admin?.emailVerifiedAt).not.toBeNull();
    const slugs = await new TenantRepository(db(), clock, cryptoRandom).slugsForUser(admin!.id);
    expect(slugs).toEqual([...config.initialAdmin.tenants!].sort());
    expect(await bootstrapper(config).create()).toBe(false);
  });

  it("never modifies an existing account with the admin's username", async () => {
    const config = adminConfig();
    await bootstrapper(config).create();
    const users = new UserRepository(db());
    const before = await users.findByLogin(config.initialAdmin.username!);
    const changed = {
      ...config,
      initialAdmin: { ...config.initialAdmin, password: "another strong passphrase!" },
    };
    expect(await bootstrapper(changed).create()).toBe(false);
    expect(await users.findByLogin(config.initialAdmin.username!)).toEqual(before);
  });

  it("creates nothing when production settings are refused", async () => {
    const config = adminConfig();
    const refused = { ...config, initialAdmin: { ...config.initialAdmin, password: "admin" } };
    expect(await bootstrapper(refused).create()).toBe(false);
    expect(await new UserRepository(db()).findByLogin(config.initialAdmin.username!)).toBeUndefined();
  });
});
