import type { IncomingMessage } from "node:http";
import type { SimState } from "./state";
import type { SimResponse } from "./http";
import { jsonRes, parseQuery } from "./http";
import { parsePauseOn, type FaultSpec } from "./faults";

export interface AdminDeps {
  st: SimState;
  adminToken: string;
  cliPauseOn: Array<{ event: string; n: number | null }>;
}

function machineStats(st: SimState): Record<string, object> {
  const out: Record<string, object> = {};
  for (const m of [...st.machines, ...st.deleted.values()]) {
    out[m.systemId] = {
      hostname: m.hostname,
      busySeconds: Math.round(st.busySeconds(m) * 1000) / 1000,
      requests: Math.round(m.requests * 1e6) / 1e6,
      transitions: m.transitions,
      status: m.status,
      deleted: st.deleted.has(m.systemId),
    };
  }
  return out;
}

export async function handleAdmin(d: AdminDeps, req: IncomingMessage, path: string, query: string, body: Buffer): Promise<SimResponse> {
  const { st } = d;
  const auth = req.headers.authorization ?? "";
  if (auth !== `Bearer ${d.adminToken}`) return jsonRes({ error: "admin token required (Authorization: Bearer <token>)" }, 401);
  const method = req.method ?? "GET";
  const q = parseQuery(query);
  const key = `${method} ${path}`;
  switch (key) {
    case "GET /_sim/stats":
      return jsonRes({ requests: [...st.stats.values()], machines: machineStats(st) });
    case "POST /_sim/reset-stats":
      st.resetStats();
      st.deleted.clear();
      return jsonRes({ ok: true });
    case "GET /_sim/faults":
      return jsonRes(st.faults.spec);
    case "POST /_sim/faults": {
      let spec: FaultSpec;
      try {
        spec = body.length ? (JSON.parse(body.toString("utf8")) as FaultSpec) : {};
        st.faults.set(spec);
        st.pauseRules = spec.pauseOn ? spec.pauseOn.map(parsePauseOn) : d.cliPauseOn;
      } catch (e) {
        return jsonRes({ error: (e as Error).message }, 400);
      }
      return jsonRes({ ok: true, faults: spec });
    }
    case "GET /_sim/inventory":
      return jsonRes({
        servers: st.servers.map((s) => ({
          hostname: s.hostname,
          enlisted: s.systemId !== null,
          systemId: s.systemId,
          macs: s.nics.map((n) => n.mac),
          nics: s.nics.map((n) => ({ name: n.name, mac: n.mac, fabric: n.fabric })),
          disks: s.disks.map((x) => ({ name: x.name, size: x.size, serial: x.serial })),
          bmcAddress: s.bmcAddress,
          memory: s.memory,
          cpuCount: s.cpuCount,
        })),
        subnets: st.subnets.map((s) => ({ id: s.id, cidr: s.cidr, gateway: s.gateway, fabric: st.fabrics.find((f) => f.id === st.vlans.find((v) => v.id === s.vlanId)?.fabricId)?.name })),
      });
    case "GET /_sim/events": {
      const after = Number(q.get("after") ?? 0);
      const timeoutMs = Math.min(Number(q.get("timeout") ?? 25000), 120000);
      const deadline = Date.now() + timeoutMs;
      let evs = st.eventsAfter(after);
      while (evs.length === 0 && Date.now() < deadline && !st.closed) {
        await st.waitEvent(deadline - Date.now());
        evs = st.eventsAfter(after);
      }
      return jsonRes({ events: evs, paused: st.paused });
    }
    case "POST /_sim/resume": {
      const n = st.resume();
      return jsonRes({ ok: true, released: n });
    }
    case "GET /_sim/health":
      return jsonRes({ ok: true, machines: st.machines.length, paused: st.paused });
    default:
      return jsonRes({ error: `unknown admin endpoint ${key}` }, 404);
  }
}
