// TLS: the simulator over https with a self-signed certificate. `up` is refused by default with a
// clear message; accepted with maas:caCert (PEM text or a file path); accepted with maas:insecure only
// when it is set to true.
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { Agent, setGlobalDispatcher } from "undici";
import { E2E, startE2E } from "../e2e/harness";
import { fleetInput, servers } from "./helpers";

describe("TLS with a self-signed MAAS certificate", { timeout: 600_000, concurrency: true }, () => {
    let e2e: E2E;
    before(async () => {
        e2e = await startE2E({ machines: 5, tls: { selfSigned: true } });
        assert.match(e2e.sim.url, /^https:/);
        assert.ok(e2e.sim.caFile);
        // This test process's own fetch (the simulator's admin API) trusts the simulator's CA; the
        // engine and its providers do not inherit that.
        setGlobalDispatcher(new Agent({ connect: { ca: fs.readFileSync(e2e.sim.caFile!, "utf8") } }));
    });
    after(async () => {
        await e2e.close();
    });

    const cases: { name: string; config: () => Record<string, string>; accepted: boolean }[] = [
        { name: "no TLS settings: refused", config: () => ({}), accepted: false },
        { name: "maas:insecure=false: refused", config: () => ({ "maas:insecure": "false" }), accepted: false },
        { name: "maas:caCert as PEM text: accepted", config: () => ({ "maas:caCert": fs.readFileSync(e2e.sim.caFile!, "utf8") }), accepted: true },
        { name: "maas:caCert as a file path: accepted", config: () => ({ "maas:caCert": e2e.sim.caFile! }), accepted: true },
        { name: "maas:insecure=true: accepted", config: () => ({ "maas:insecure": "true" }), accepted: true },
    ];

    cases.forEach((c, i) => {
        test(c.name, async (t) => {
            const [server] = (await servers(e2e)).slice(i, i + 1);
            const file = e2e.writeInput(`tls-${i}.json`, fleetInput([server], { deploy: false }));
            const s = await e2e.open(`tls${i}`, file, c.config());
            if (c.accepted) {
                const up = await s.up();
                assert.equal(up.summary.result, "succeeded", up.log);
                const list = (await e2e.sim.api("GET", `machines/?hostname=${server.hostname}`)).json() as { status_name: string }[];
                assert.equal(list[0]?.status_name, "Ready");
                return;
            }
            const t0 = Date.now();
            let text = "";
            try {
                await s.up();
                assert.fail("up must be refused");
            } catch (e) {
                text = e instanceof Error ? e.message : String(e);
            }
            const line = text.split("\n").find((l) => /certificate/i.test(l) && l.includes("error:"));
            t.diagnostic(`refused in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${line?.trim()}`);
            assert.ok(line, `a message about the certificate:\n${text.slice(-3000)}`);
            assert.match(line!, /self[- ]signed certificate/i);
            assert.match(line!, /maas:caCert/, "the message says how to trust the certificate");
            assert.doesNotMatch(text, /retries exhausted/, "a certificate problem is not retried");
            const list = (await e2e.sim.api("GET", `machines/?hostname=${server.hostname}`)).json() as unknown[];
            assert.equal(list.length, 0, "nothing was enlisted");
        });
    });
});
