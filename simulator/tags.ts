// Tags (api/tags.py, models/tag.py, forms TagForm): list, read, create, update, delete, the machines
// carrying a tag, and update_nodes add/remove, with MAAS's errors (maas-api.md §10.3). Definitions are
// kept but not evaluated: no automatic tags.
import type { Machine, Tag } from "./model";
import type { Params, SimResponse } from "./http";
import { jsonRes, noContent, textRes } from "./http";
import type { Ctx, SimState } from "./state";
import { fieldErrors, notFound } from "./util";
import { renderMachine, renderTag } from "./render";
import { hasPermission, requireSuperuser } from "./permissions";

// models/tag.py _tag_name_regex
const TAG_NAME_RE = /^[a-zA-Z0-9_-]+$/;

export interface TagCtx {
  st: SimState;
  ctx: Ctx;
  p: Params;
}

/** get_tag_or_404(name, user, to_edit): an edit needs a superuser (403 empty) before the 404. */
function getTag(c: TagCtx, name: string, toEdit = false): Tag {
  if (toEdit) requireSuperuser(c.ctx);
  const t = c.st.tags.find((x) => x.name === name);
  if (!t) throw notFound("Tag");
  return t;
}

function tagForm(c: TagCtx, current: Tag | null): Tag {
  const p = c.p;
  const name = p.has("name") ? p.get("name")! : (current?.name ?? "");
  if (!name) throw fieldErrors({ name: ["This field is required."] });
  if (!TAG_NAME_RE.test(name) || name.length > 256) throw fieldErrors({ name: ["Enter a valid value."] });
  if (c.st.tags.some((t) => t.name === name && t !== current)) throw fieldErrors({ name: ["Tag with this Name already exists."] });
  const field = (k: string, was: string | undefined) => (p.has(k) ? p.get(k)! : (was ?? ""));
  return { name, definition: field("definition", current?.definition), comment: field("comment", current?.comment), kernelOpts: field("kernel_opts", current?.kernelOpts) };
}

function renameOnMachines(st: SimState, from: string, to: string | null): void {
  for (const m of st.machines) {
    if (!m.tagNames.includes(from)) continue;
    m.tagNames = m.tagNames.filter((t) => t !== from);
    if (to && !m.tagNames.includes(to)) m.tagNames.push(to);
  }
}

/** `add` / `remove` system ids that name existing machines (unknown ones are ignored). */
function machinesNamed(st: SimState, p: Params, key: string): Machine[] {
  const ids = new Set(p.getAll(key));
  return st.machines.filter((m) => ids.has(m.systemId));
}

export const tagHandlers = {
  list: (c: TagCtx): SimResponse => jsonRes(c.st.tags.map(renderTag)),
  read: (c: TagCtx, name: string): SimResponse => jsonRes(renderTag(getTag(c, name))),
  create(c: TagCtx): SimResponse {
    requireSuperuser(c.ctx);
    const t = tagForm(c, null);
    c.st.tags.push(t);
    return jsonRes(renderTag(t));
  },
  update(c: TagCtx, name: string): SimResponse {
    const t = getTag(c, name, true);
    const next = tagForm(c, t);
    if (next.name !== t.name) renameOnMachines(c.st, t.name, next.name);
    Object.assign(t, next);
    return jsonRes(renderTag(t));
  },
  delete(c: TagCtx, name: string): SimResponse {
    const t = getTag(c, name, true);
    renameOnMachines(c.st, t.name, null);
    c.st.tags.splice(c.st.tags.indexOf(t), 1);
    return noContent();
  },
  /** ?op=machines (and nodes): the tagged machines the caller may view, ordered by id. */
  machines(c: TagCtx, name: string): SimResponse {
    const t = getTag(c, name);
    const ms = c.st.machines.filter((m) => m.tagNames.includes(t.name) && hasPermission(c.ctx.user, "view", m));
    return jsonRes(ms.map((m) => renderMachine(c.st, m)));
  },
  updateNodes(c: TagCtx, name: string): SimResponse {
    requireSuperuser(c.ctx);
    const t = getTag(c, name);
    const definition = c.p.get("definition");
    if (definition !== undefined && definition !== t.definition) return textRes(409, `Definition supplied '${definition}' doesn't match current definition '${t.definition}'`);
    const add = machinesNamed(c.st, c.p, "add");
    for (const m of add) if (!m.tagNames.includes(t.name)) m.tagNames.push(t.name);
    const remove = machinesNamed(c.st, c.p, "remove");
    for (const m of remove) m.tagNames = m.tagNames.filter((x) => x !== t.name);
    return jsonRes({ added: add.length, removed: remove.length });
  },
};
