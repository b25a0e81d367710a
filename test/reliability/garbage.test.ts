// MAAS (or something in front of it) answering garbage: invalid JSON, an HTML error page, a truncated
// body, a 200 of the wrong shape. A small proxy of our own sits between the engine and the simulator
// and spoils the answers of one route (the machine lookup every create starts with). The operator gets
// a clear error naming the request, nothing crashes, nothing changes in MAAS or in the state.
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { E2E, startE2E } from "../e2e/harness";
import { MACHINE_TYPE, fleetInput, servers, stateOf } from "./helpers";

type Spoiler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Proxy {
    url: string;
    spoiled: number;
    close(): Promise<void>;
}

/** Forwards everything to `target` except requests `match` picks, which `spoil` answers itself. */
async function startProxy(target: string, match: (req: http.IncomingMessage) => boolean, spoil: Spoiler): Promise<Proxy> {
    const t = new URL(target);
    const state = { spoiled: 0 };
    const server = http.createServer((req, res) => {
        if (match(req)) {
            state.spoiled++;
            req.resume();
            spoil(req, res);
            return;
        }
        const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
        });
        up.on("error", () => res.destroy());
        req.pipe(up);
    });
    const sockets = new Set<import("node:net").Socket>();
    server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}${t.pathname}`,
        get spoiled() {
            return state.spoiled;
        },
        close: () =>
            new Promise<void>((r) => {
                server.close(() => r());
                for (const s of sockets) s.destroy();
            }),
    };
}

const isLookup = (req: http.IncomingMessage) => req.method === "GET" && /\/api\/2\.0\/machines\/\?.*mac_address=/.test(req.url ?? "");

const CASES: { name: string; spoil: Spoiler; expect: RegExp; maxRetries: string }[] = [
    {
        name: "invalid JSON",
        spoil: (_q, res) => {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end('[{"system_id": "abc123", "hostname": ');
        },
        expect: /unexpected response from GET machines\/\?mac_address=[^\n]*is not JSON/,
        maxRetries: "1",
    },
    {
        name: "an HTML error page (200 from a login portal)",
        spoil: (_q, res) => {
            res.writeHead(200, { "Content-Type": "text/html" });
            res.end("<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Proxy authentication required</h1></body></html>");
        },
        expect: /is not JSON: <!DOCTYPE html>/,
        maxRetries: "1",
    },
    {
        name: "an HTML error page (502 from a reverse proxy)",
        spoil: (_q, res) => {
            res.writeHead(502, { "Content-Type": "text/html" });
            res.end("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
        },
        expect: /retries exhausted after 2 attempts; last failure: MAAS answered HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx/,
        maxRetries: "1",
    },
    {
        name: "a truncated body (connection closed before Content-Length bytes)",
        spoil: (_q, res) => {
            res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "4000" });
            res.write('[{"system_id": "abc123", "hostname": "node-0001", "status_na');
            setTimeout(() => res.socket?.destroy(), 20);
        },
        expect: /retries exhausted after 2 attempts; last failure: connection to MAAS failed/,
        maxRetries: "1",
    },
    {
        name: "a 200 of the wrong shape",
        spoil: (_q, res) => {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ machines: [{ id: "abc123" }], count: 1 }));
        },
        expect: /unexpected response from GET machines\/\?mac_address=[^\n]*/,
        maxRetries: "1",
    },
];

describe("MAAS answers garbage", { timeout: 600_000, concurrency: 3 }, () => {
    let e2e: E2E;
    before(async () => {
        e2e = await startE2E({ machines: 1 });
    });
    after(async () => {
        await e2e.close();
    });

    CASES.forEach((c, i) => {
        test(`${c.name}: a clear error, no crash, nothing changed`, async (t) => {
            const proxy = await startProxy(e2e.sim.url, isLookup, c.spoil);
            try {
                const [server] = await servers(e2e, 1);
                const file = e2e.writeInput(`garbage-${i}.json`, fleetInput([server]));
                const stackName = `garbage${i}`;
                const { openMaasStack } = await import("../../stacks/runner");
                const path = await import("node:path");
                const { FAST_CONFIG } = await import("../e2e/harness");
                const { stack, runOptions } = await openMaasStack({
                    inputFile: file,
                    stackName,
                    workDir: path.join(e2e.dir, "project"),
                    stateDir: path.join(e2e.dir, "state"),
                    homeDir: path.join(e2e.dir, "home"),
                    apiUrl: proxy.url,
                    apiKey: e2e.sim.apiKey,
                    config: { ...FAST_CONFIG, "maas:maxRetries": c.maxRetries },
                });
                let log = "";
                let text = "";
                try {
                    await stack.up({ ...runOptions, onOutput: (s) => (log += s) });
                    assert.fail("up must fail");
                } catch (e) {
                    text = (e instanceof Error ? e.message : String(e)) + log;
                }
                const line = text.split("\n").find((l) => c.expect.test(l));
                t.diagnostic(line ?? text.slice(-1500));
                assert.ok(line, `clear error expected (${c.expect}):\n${text.slice(-3000)}`);
                assert.match(line!, /aa-|52-54|node-0001|mac_address=52:54/, "the error says which machine (its MAC lookup)");
                assert.doesNotMatch(text, /TypeError|ReferenceError|Unhandled|unhandledRejection|SIGSEGV|panic:/, "no crash");
                assert.ok(proxy.spoiled >= 1);
                const stats = await e2e.sim.stats();
                const mutating = stats.requests.filter((r) => r.method !== "GET");
                assert.deepEqual(mutating, [], "nothing changed in MAAS");
                const list = (await e2e.sim.api("GET", "machines/")).json() as unknown[];
                assert.equal(list.length, 0, "no machine was enlisted");
                const st = await stateOf({ stack } as never);
                assert.equal(st.resources.filter((r) => r.type === MACHINE_TYPE).length, 0, "the state holds no machine");
            } finally {
                await proxy.close();
            }
        });
    });
});
