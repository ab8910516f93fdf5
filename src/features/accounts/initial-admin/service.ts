import type { Config } from "../../../config";
import { NO_CLIENT } from "../../../platform/client-info";
import { newId } from "../../../platform/ids";
import type { Shared } from "../../../shared";
import { newPasswordProblem, normalizePassword } from "../password-policy";
import { EmailSchema, UsernameSchema } from "../schemas";

/** Seed 002's initial admin; these values apply only in development and test. */
export const DEVELOPMENT_ADMIN = {
  username: "admin",
  email: "admin@example.com",
  password: "admin",
  name: "Administrator",
  tenants: ["default"],
} as const;

export interface AdminSettings {
  username: string;
  email: string;
  password: string;
  name: string;
  /** Slugs of the tenants the admin belongs to (`ADMIN_INSTITUTIONS`). */
  tenants: string[];
  /**
   * `ADMIN_ROLE`, `root` unless set: the top role has to exist for anyone to be granted anything,
   * since nobody grants above their own role.
   */
  role: "root" | "admin";
}

/**
 * The admin to ensure, or why none is created. Development and test fill unset `ADMIN_*` with
 * seed 002's defaults; every other environment needs ADMIN_USERNAME, ADMIN_EMAIL and an
 * ADMIN_PASSWORD that passes the password policy (so never the default `admin`).
 */
export function resolveAdminSettings(
  config: Pick<Config, "environment" | "initialAdmin">,
): { settings: AdminSettings } | { refused: string } {
  const given = config.initialAdmin;
  const development = config.environment === "development" || config.environment === "test";
  const settings: AdminSettings = development
    ? {
        username: given.username ?? DEVELOPMENT_ADMIN.username,
        email: given.email ?? DEVELOPMENT_ADMIN.email,
        password: given.password ?? DEVELOPMENT_ADMIN.password,
        name: given.name ?? DEVELOPMENT_ADMIN.name,
        tenants: given.tenants ?? [...DEVELOPMENT_ADMIN.tenants],
        role: given.role ?? "root",
      }
    : {
        username: given.username ?? "",
        email: given.email ?? "",
        password: given.password ?? "",
        name: given.name ?? "",
        tenants: given.tenants ?? [],
        role: given.role ?? "root",
      };
  if (!development) {
    const missing = (["username", "email", "password"] as const)
      .filter((key) => !given[key])
      .map((key) => `ADMIN_${key.toUpperCase()}`);
    if (missing.length > 0) return { refused: `${missing.join(", ")} not set in ${config.environment}` };
    if (settings.password === DEVELOPMENT_ADMIN.password) {
      return { refused: `ADMIN_PASSWORD is the development default, refused in ${config.environment}` };
    }
    const problem = newPasswordProblem(settings.password, settings);
    if (problem) return { refused: `ADMIN_PASSWORD ${problem}` };
  }
  const username = UsernameSchema.safeParse(settings.username);
  const email = EmailSchema.safeParse(settings.email);
  if (!username.success) return { refused: `ADMIN_USERNAME ${username.error.issues[0]?.message}` };
  if (!email.success) return { refused: `ADMIN_EMAIL ${email.error.issues[0]?.message}` };
  return {
    settings: {
      ...settings,
      username: username.data,
      email: email.data,
      name: settings.name || username.data,
    },
  };
}

// Once per isolate and configuration: later requests skip even the existence check.
const ensured = new WeakMap<object, Promise<void>>();

export type InitialAdminDeps = Pick<
  Shared,
  "config" | "db" | "users" | "tenants" | "passwords" | "audit" | "clock" | "random" | "logger"
>;

/**
 * Ensures the initial admin exists. Runs lazily, once per isolate, before the requests that look
 * accounts up by name (register, login, password reset): Workers have no start-up hook, and a
 * username must not be claimable by a registration before the admin exists. Safe when many
 * isolates run it at once: the user row is `INSERT … ON CONFLICT DO NOTHING` on the unique
 * username and e-mail indexes, and its tenant memberships are written in the same atomic unit,
 * only if that insert happened. An existing admin is never modified.
 */
export class InitialAdmin {
  constructor(private readonly deps: InitialAdminDeps) {}

  ensure(): Promise<void> {
    const { config, logger } = this.deps;
    let pending = ensured.get(config);
    if (!pending) {
      pending = this.create().then(
        () => undefined,
        (error: unknown) => {
          ensured.delete(config);
          logger.error("could not ensure the initial admin; will retry", { error });
        },
      );
      ensured.set(config, pending);
    }
    return pending;
  }

  /** Creates the admin if absent; true when this call created it. Exposed for the concurrency tests. */
  async create(): Promise<boolean> {
    const { config, db, users, tenants, passwords, audit, clock, random, logger } = this.deps;
    const resolved = resolveAdminSettings(config);
    if ("refused" in resolved) {
      logger.warn("initial admin not created", { reason: resolved.refused });
      return false;
    }
    const admin = resolved.settings;
    if (await users.existsByUsernameOrEmail(admin.username, admin.email)) return false;
    await tenants.ensure(admin.tenants);
    const now = clock.now();
    const id = newId("user", clock, random);
    const [inserted] = await db.atomic([
      users.createIfAbsentStatement({
        id,
        username: admin.username,
        email: admin.email,
        passwordHash: passwords.hash(normalizePassword(admin.password)),
        name: admin.name,
        role: admin.role,
        status: "active",
        emailVerifiedAt: now,
        createdAt: now,
      }),
      ...admin.tenants.map((slug) => tenants.addMemberIfUserExistsStatement(id, slug, now)),
    ]);
    if (inserted?.length !== 1) return false;
    logger.info("created the initial admin", { userId: id, username: admin.username });
    await audit.record({
      event: "admin.bootstrap",
      result: "success",
      targetType: "user",
      targetId: id,
      // The lazy bootstrap runs inside whichever request came first; that client did not cause it.
      client: NO_CLIENT,
      metadata: { tenants: admin.tenants },
    });
    return true;
  }
}
