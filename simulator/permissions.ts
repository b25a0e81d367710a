// Who may do what (MAAS's MAASAuthorizationBackend without RBAC; see maas-api.md §7).
import type { Machine } from "./model";
import type { Ctx } from "./state";
import { forbidden } from "./util";

// api/support.py METHOD_RESERVED_ADMIN
export const RESERVED_FOR_ADMINS = "This method is reserved for admin users.";

/** `@admin_method`: superusers only, 403 with MAAS's text. */
export function requireAdmin(ctx: Ctx): void {
  if (!ctx.user?.isAdmin) throw forbidden(RESERVED_FOR_ADMINS);
}

/** "edit" permission: admin or owner; locked machines refuse. */
export function requireEdit(m: Machine, ctx: Ctx): void {
  if (m.locked) throw forbidden();
  if (!ctx.user) throw forbidden();
  if (!ctx.user.isAdmin && m.owner !== null && m.owner !== ctx.user.username) throw forbidden();
}
