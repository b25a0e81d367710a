/** A 403 from MAAS as an error naming the operation, the machine and the right the key's user lacks. */
import { ErrorContext, PermissionDeniedError } from "./errors";
import { MaasRight, requiredRight, RIGHT_HOLDERS } from "./rights";

function rightText(right: MaasRight, onMachine: boolean): string {
  if (right === "superuser") return `MAAS administrator rights (${RIGHT_HOLDERS.superuser})`;
  return `the '${right}' permission on ${onMachine ? "the machine" : "it"} (${RIGHT_HOLDERS[right]})`;
}

export function permissionDenied(ctx: ErrorContext, msg: string, extra: { httpStatus: number; maasMessage: string }): PermissionDeniedError {
  // storage edits the owner may make elsewhere need admin on a Ready machine (api/blockdevices.py, partitions.py)
  const right = /permissions on a Ready/i.test(msg) ? "admin" : requiredRight(ctx.endpoint);
  const said = msg ? `; MAAS said: ${msg}` : "";
  const detail = right
    ? `MAAS denied permission (403): this needs ${rightText(right, ctx.systemId !== undefined)}, which the API key's user does not have${said}`
    : `MAAS denied permission (403)${msg ? `: ${msg}` : " with no message (typically: not the owner, machine locked, or admin rights required)"}`;
  return new PermissionDeniedError(ctx, detail, { ...extra, ...(right ? { requiredRight: right } : {}) });
}
