// Who may do what: MAAS's MAASAuthorizationBackend without RBAC (auth/local.py; maas-api.md §7).
// A machine call names the permission it needs; a refusal is 403 with an empty body, as Django's
// PermissionDenied() is rendered, except the @admin_method calls, which say so.
import type { Machine } from "./model";
import type { Ctx, User } from "./state";
import { forbidden } from "./util";

// api/support.py METHOD_RESERVED_ADMIN
export const RESERVED_FOR_ADMINS = "This method is reserved for admin users.";

export type NodePermission = "view" | "edit" | "admin" | "admin_read" | "lock";

/** Machines are filtered for view: unowned, the caller's own, or every machine for a superuser. */
function mayView(m: Machine, u: User): boolean {
  return u.isAdmin || m.owner === null || m.owner === u.username;
}

export function hasPermission(user: User | null, perm: NodePermission, m: Machine): boolean {
  if (!user) return false;
  switch (perm) {
    case "view":
    case "lock":
      return mayView(m, user);
    case "edit":
      return !m.locked && mayView(m, user);
    case "admin":
      return user.isAdmin && !m.locked;
    case "admin_read":
      return user.isAdmin;
  }
}

/** get_node_or_404(system_id, user, perm): the machine exists (checked by the caller), the permission is held. */
export function requirePermission(ctx: Ctx, perm: NodePermission, m: Machine): void {
  if (!hasPermission(ctx.user, perm, m)) throw forbidden();
}

/** `@admin_method`: superusers only, 403 with MAAS's text. */
export function requireAdmin(ctx: Ctx): void {
  if (!ctx.user?.isAdmin) throw forbidden(RESERVED_FOR_ADMINS);
}

/** Superusers only, refused as a model form's permission check refuses (403, empty body). */
export function requireSuperuser(ctx: Ctx): void {
  if (!ctx.user?.isAdmin) throw forbidden();
}
