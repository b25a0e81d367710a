import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { SimState, Ctx } from "./state";
import type { Authenticator } from "./auth";
import { parseBody, parseQuery, readBody, textRes, type SimResponse, TEXT_CT } from "./http";
import { ApiError } from "./util";
import { matchRoute, dispatchKey, apiHash } from "./routes";
import { handleAdmin, type AdminDeps } from "./admin";

const PREFIX = "/MAAS/api/2.0/";

export interface ServerDeps extends AdminDeps {
  auth: Authenticator;
  log: (line: string) => void;
  /** Writes the state file (--state), called after every change before its answer is sent. */
  persist?: () => void;
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

function send(res: ServerResponse, r: SimResponse, extra: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const headers: Record<string, string | number> = { "Content-Type": r.contentType, ...extra, ...(r.headers ?? {}) };
  if (r.status === 204) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  const buf = Buffer.from(r.body, "utf8");
  headers["Content-Length"] = buf.length;
  res.writeHead(r.status, headers);
  res.end(buf);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function makeHandler(d: ServerDeps) {
  const { st } = d;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = req.url ?? "/";
    const qi = url.indexOf("?");
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const query = qi >= 0 ? url.slice(qi + 1) : "";
    let logStatus = 0;
    try {
      const body = await readBody(req);
      if (path.startsWith("/_sim/")) {
        const r = await handleAdmin(d, req, path, query, body);
        logStatus = r.status;
        send(res, r);
        return;
      }
      if (path === "/MAAS/api/version/" || path === "/MAAS/api/version") {
        logStatus = 200;
        send(res, textRes(200, "2.0"));
        return;
      }
      if (path.startsWith("/MAAS/api/1.0")) {
        logStatus = 410;
        send(res, textRes(410, "The 1.0 API is no longer available. Please use API version 2.0."));
        return;
      }
      if (!path.startsWith(PREFIX)) {
        logStatus = 404;
        send(res, { status: 404, body: "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>", contentType: "text/html; charset=utf-8" });
        return;
      }
      let rel = path.slice(PREFIX.length);
      const params = parseQuery(query);
      params.merge(parseBody(body, req.headers["content-type"]));
      let op = params.get("op");
      const opm = /^(.*\/)op-([a-z_]+)$/.exec(rel);
      if (opm) {
        rel = opm[1]!;
        op ??= opm[2];
      }
      if (op === "") op = undefined;
      const match = matchRoute(rel);
      const route = match ? match.res.template + (op ? `?op=${op}` : "") : rel + (op ? `?op=${op}` : "");
      const systemId = match && /^(machines|nodes)\/\{id\}/.test(match.res.template) ? match.args[0]! : null;
      const finish = (status: number) => {
        logStatus = status;
        st.record(method, route, systemId, status);
      };
      // ---- faults (decided before anything is applied)
      const fd = st.faults.decide(method, route, systemId);
      if (fd.latencyMs > 0) await sleep(fd.latencyMs);
      if (fd.action?.kind === "drop-before-apply") {
        finish(0);
        req.socket.destroy();
        return;
      }
      if (fd.action?.kind === "error") {
        finish(fd.action.status);
        send(res, textRes(fd.action.status, fd.action.body), fd.action.status === 503 ? { "Retry-After": "10" } : {});
        return;
      }
      // ---- routing
      if (!match) {
        // APPEND_SLASH: a slash-less URL that matches with a slash is redirected
        if (!rel.endsWith("/") && matchRoute(rel + "/")) {
          finish(301);
          send(res, textRes(301, ""), { Location: path + "/" + (query ? `?${query}` : "") });
          return;
        }
        finish(404);
        send(res, { status: 404, body: "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>", contentType: "text/html; charset=utf-8" });
        return;
      }
      const ctx: Ctx = { user: null, hold: false };
      let r: SimResponse;
      try {
        ctx.user = d.auth.authenticate(req.headers.authorization);
        const action = match.res.actions.get(dispatchKey(method, op));
        if (!ctx.user && !action?.anon) throw new ApiError(401, "Authorization Required", { "WWW-Authenticate": 'OAuth realm="OAuth"' });
        if (!action) {
          if (op) throw new ApiError(400, `Unrecognised signature: method=${method} op=${op}`);
          throw new ApiError(405, `Method Not Allowed`);
        }
        if (systemId) {
          const m = st.bySystemId.get(systemId);
          if (m) m.requests += 1;
        }
        r = await action.h({ st, ctx, p: params, args: match.args });
      } catch (e) {
        r = errorResponse(e);
      }
      finish(r.status);
      if (method !== "GET") d.persist?.();
      if (ctx.hold) await st.waitResume();
      if (fd.action?.kind === "drop-after-apply") {
        req.socket.destroy();
        return;
      }
      send(res, r, { "X-MAAS-API-Hash": apiHash() });
    } catch (e) {
      const r = errorResponse(e);
      logStatus = r.status;
      send(res, r);
    } finally {
      // never log bodies or the Authorization header
      d.log(`${method} ${path}${query && /(^|&)op=/.test(query) ? `?op=${new URLSearchParams(query).get("op")}` : ""} ${logStatus} ${Date.now() - started}ms`);
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

export { TEXT_CT };
