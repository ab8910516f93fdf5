import type { Permission } from "../authorization/permissions";
import type { Role } from "../users/user";

/** Where the console lives; every page is under it. */
export const CONSOLE_ROOT = "/admin/";
/** The console's sign-in page (password, then the TOTP code). */
export const SIGN_IN_PATH = "/admin/entrar";
/** Ends the console session (a form post). */
export const SIGN_OUT_PATH = "/admin/sair";

/** One section of the console: its path, its menu label and the permission that opens it. */
export interface ConsoleSection {
  path: string;
  label: string;
  permission: Permission;
  /**
   * The global role below which the section stays closed even where its permission allows: the
   * console is for gestor and above, and `tenant-roles:read` is open to every role (the tenant
   * role decides there).
   */
  minimumRole?: Role;
}

/**
 * The console's sections, in menu order. A section shows in the menu only to those its permission
 * allows (the same `refusalOf` rule the API applies), and its pages refuse everyone else with 403.
 */
export const SECTIONS = {
  invites: { path: "/admin/convites", label: "Convites", permission: "invites:read" },
  usage: { path: "/admin/uso", label: "Uso", permission: "invites:read" },
  codes: {
    path: "/admin/codigos",
    label: "Ajudar usuários com códigos",
    permission: "two-factor-codes:send-for-user",
  },
  apiTokens: { path: "/admin/tokens-de-api", label: "Tokens de API", permission: "api-tokens:read-any" },
  users: { path: "/admin/usuarios", label: "Usuários e papéis", permission: "users:read" },
  // The tenant role decides what a gestor sees here: the page lists the tenants they manage.
  tenants: {
    path: "/admin/tenants",
    label: "Organizações",
    permission: "tenant-roles:read",
    minimumRole: "gestor",
  },
  webhooks: { path: "/admin/webhooks", label: "Webhooks", permission: "webhooks:read" },
  audit: { path: "/admin/auditoria", label: "Auditoria", permission: "audit:read" },
} as const satisfies Record<string, ConsoleSection>;

/** A section's key. */
export type SectionKey = keyof typeof SECTIONS;
