// The HTTP front of the region: the admin endpoints, MAAS's URL rules (version, 1.0, APPEND_SLASH, op=),
// faults decided before anything is applied, authentication, dispatch, the state file write, pauses.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Ctx } from "./state";
import type { Authenticator } from "./auth";
import { Params, parseBody, parseQuery, readBody, textRes, type SimResponse } from "./http";
import { ApiError } from "./util";
import { matchRoute, dispatchKey, apiHash, type Resource } from "./routes";
import { handleAdmin, type AdminDeps } from "./admin";
import type { FaultDecision } from "./faults";

const PREFIX = "/MAAS/api/2.0/";
const NOT_FOUND: SimResponse = { status: 404, body: "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>", contentType: "text/html; charset=utf-8" };

export interface ServerDeps extends AdminDeps {
  auth: Authenticator;
  log: (line: string) => void;
  /** Writes the state file (--state), called after every change before its answer is sent. */
  persist?: () => void;
}

/** One request as the handler sees it; `status` is what the log line reports. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: string;
  status: number;
}

/** An API request resolved to its route (or to none). */
interface ApiCall {
  rel: string;
  params: Params;
  op: string | undefined;
  match: { res: Resource; args: string[] } | null;
  route: string;
  systemId: string | null;
}

function errorResponse(e: unknown): SimResponse {
  if (e instanceof ApiError) {
    const r: SimResponse =
      typeof e.body === "string" ? textRes(e.status, e.body) : { status: e.status, body: JSON.stringify(e.body), contentType: "application/json; charset=utf-8" };
    r.headers = e.headers;
    return r;
  }
  return textRes(500, (e as Error)?.stack ?? String(e));
}

function send(x: Exchange, r: SimResponse, extra: Record<string, string> = {}): void {
  x.status = r.status;
  if (x.res.destroyed) return;
  const headers: Record<string, string | number> = { "Content-Type": r.contentType, ...extra, ...(r.headers ?? {}) };
  if (r.status === 204) {
    x.res.writeHead(204, headers);
    x.res.end();
    return;
  }
  const buf = Buffer.from(r.body, "utf8");
  headers["Content-Length"] = buf.length;
  x.res.writeHead(r.status, headers);
  x.res.end(buf);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers outside /MAAS/api/2.0/ (admin, version, the retired 1.0 API); false for an API request. */
async function serveNonApi(d: ServerDeps, x: Exchange, body: Buffer): Promise<boolean> {
  if (x.path.startsWith("/_sim/")) send(x, await handleAdmin(d, x.req, x.path, x.query, body));
  else if (x.path === "/MAAS/api/version/" || x.path === "/MAAS/api/version") send(x, textRes(200, "2.0"));
  else if (x.path.startsWith("/MAAS/api/1.0")) send(x, textRes(410, "The 1.0 API is no longer available. Please use API version 2.0."));
  else if (!x.path.startsWith(PREFIX)) send(x, NOT_FOUND);
  else return false;
  return true;
}

/** The route, op (query, body, or the `op-<name>` path form) and system_id of an API request. */
function resolveCall(x: Exchange, body: Buffer): ApiCall {
  let rel = x.path.slice(PREFIX.length);
  const params = parseQuery(x.query);
  params.merge(parseBody(body, x.req.headers["content-type"]));
  let op = params.get("op");
  const opm = /^(.*\/)op-([a-z_]+)$/.exec(rel);
  if (opm) {
    rel = opm[1]!;
    op ??= opm[2];
  }
  if (op === "") op = undefined;
  const match = matchRoute(rel);
  const opPart = op ? `?op=${op}` : "";
  const route = (match ? match.res.template : rel) + opPart;
  const systemId = match && /^(machines|nodes)\/\{id\}/.test(match.res.template) ? match.args[0]! : null;
  return { rel, params, op, match, route, systemId };
}

/** An injected fault answers (or drops) the request instead of the region; true when it did. */
function faulted(d: ServerDeps, x: Exchange, call: ApiCall, fd: FaultDecision): boolean {
  if (fd.action?.kind === "drop-before-apply") {
    d.st.record(x.method, call.route, call.systemId, 0);
    x.req.socket.destroy();
    return true;
  }
  if (fd.action?.kind === "error") {
    d.st.record(x.method, call.route, call.systemId, fd.action.status);
    send(x, textRes(fd.action.status, fd.action.body), fd.action.status === 503 ? { "Retry-After": "10" } : {});
    return true;
  }
  return false;
}

/** No route: APPEND_SLASH redirects a slash-less URL that matches with a slash; else Django's 404 page. */
function unrouted(d: ServerDeps, x: Exchange, call: ApiCall): void {
  const redirect = !call.rel.endsWith("/") && matchRoute(call.rel + "/");
  const r = redirect ? textRes(301, "") : NOT_FOUND;
  d.st.record(x.method, call.route, call.systemId, r.status);
  send(x, r, redirect ? { Location: x.path + "/" + (x.query ? `?${x.query}` : "") } : {});
}

async function dispatch(d: ServerDeps, x: Exchange, call: ApiCall, ctx: Ctx): Promise<SimResponse> {
  try {
    ctx.user = d.auth.authenticate(x.req.headers.authorization);
    const action = call.match!.res.actions.get(dispatchKey(x.method, call.op));
    if (!ctx.user && !action?.anon) throw new ApiError(401, "Authorization Required", { "WWW-Authenticate": 'OAuth realm="OAuth"' });
    if (!action) {
      if (call.op) throw new ApiError(400, `Unrecognised signature: method=${x.method} op=${call.op}`);
      throw new ApiError(405, `Method Not Allowed`);
    }
    if (call.systemId) {
      const m = d.st.bySystemId.get(call.systemId);
      if (m) m.requests += 1;
    }
    return await action.h({ st: d.st, ctx, p: call.params, args: call.match!.args });
  } catch (e) {
    return errorResponse(e);
  }
}

async function serveApi(d: ServerDeps, x: Exchange, body: Buffer): Promise<void> {
  const call = resolveCall(x, body);
  const fd = d.st.faults.decide(x.method, call.route, call.systemId);
  if (fd.latencyMs > 0) await sleep(fd.latencyMs);
  if (faulted(d, x, call, fd)) return;
  if (!call.match) return unrouted(d, x, call);
  const comment = call.params.get("comment");
  const ctx: Ctx = { user: null, hold: false, ...(comment !== undefined ? { comment } : {}) };
  const r = await dispatch(d, x, call, ctx);
  d.st.record(x.method, call.route, call.systemId, r.status);
  x.status = r.status;
  // the change is on disk before its answer leaves
  if (x.method !== "GET") d.persist?.();
  if (ctx.hold) await d.st.waitResume();
  if (fd.action?.kind === "drop-after-apply") {
    x.req.socket.destroy();
    return;
  }
  send(x, r, { "X-MAAS-API-Hash": apiHash() });
}

/** The log line: method, path, op, status, time — never bodies or the Authorization header. */
function logLine(x: Exchange, started: number): string {
  const op = x.query && /(^|&)op=/.test(x.query) ? `?op=${new URLSearchParams(x.query).get("op")}` : "";
  return `${x.method} ${x.path}${op} ${x.status} ${Date.now() - started}ms`;
}

export function makeHandler(d: ServerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const url = req.url ?? "/";
    const qi = url.indexOf("?");
    const x: Exchange = { req, res, method: (req.method ?? "GET").toUpperCase(), path: qi >= 0 ? url.slice(0, qi) : url, query: qi >= 0 ? url.slice(qi + 1) : "", status: 0 };
    try {
      const body = await readBody(req);
      if (!(await serveNonApi(d, x, body))) await serveApi(d, x, body);
    } catch (e) {
      send(x, errorResponse(e));
    } finally {
      d.log(logLine(x, started));
    }
  };
}

export function trackSockets(server: { on(ev: "connection", cb: (s: Socket) => void): unknown }): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return sockets;
}
