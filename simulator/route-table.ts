// How a route table entry is written: a URL template, the handler class name MAAS gives it, and its
// actions keyed "METHOD" or "METHOD:op".
import type { Ctx, SimState } from "./state";
import type { Params, SimResponse } from "./http";

export interface RouteReq {
  st: SimState;
  ctx: Ctx;
  p: Params;
  args: string[];
}
export type Handler = (r: RouteReq) => SimResponse | Promise<SimResponse>;

export interface Action {
  h: Handler;
  /** answered without credentials too */
  anon?: boolean;
}

export interface Resource {
  template: string;
  re: RegExp;
  actions: Map<string, Action>;
  name: string;
}

/** `{id}` is a system_id, `{n}` a numeric id, `{s}` any other name; each matches one path segment. */
export function route(template: string, name: string, actions: Record<string, Handler | Action>): Resource {
  const re = new RegExp("^" + template.replace(/[.]/g, "\\.").replace(/\{id\}|\{n\}|\{s\}/g, "([^/]+)") + "$");
  const map = new Map<string, Action>();
  for (const [k, v] of Object.entries(actions)) map.set(k, typeof v === "function" ? { h: v } : v);
  return { template, re, actions: map, name };
}
