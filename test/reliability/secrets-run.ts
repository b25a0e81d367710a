// Shared by secrets.test.ts and secrets-verbose.test.ts. Secrets: with a random MAAS API key and BMC password for each run, neither appears raw, URL-encoded
// (the OAuth PLAINTEXT signature carries "%26<token secret>") or base64-encoded in what `up` prints
// (stdout and stderr, also at the engine's most verbose logging), in the simulator's request log, in
// `pulumi stack export`, or anywhere in the backend's state and home directories.
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { engineEnv, locateEngine } from "../../stacks/automation";
import { startE2E } from "../e2e/harness";
import { fleetInput, servers } from "./helpers";
import { findLeaks, forms, walk } from "../helpers/leaks";

const token = (n: number) => randomBytes(n).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, n);

export interface SecretRun {
    leaks: string[];
    verboseLeaks: { apiKey: string[]; bmcPassword: string[] };
    forms: number;
    verboseStderrKiB: number;
}

/**
 * One rollout with a random API key and BMC password: an ordinary up, an up at the engine's most
 * verbose logging (-v=9 to stderr, --debug), a preview, `pulumi stack export`, the backend's files,
 * a destroy and the simulator's request log, each searched for every form of both secrets.
 */
export async function secretRun(t: { diagnostic(s: string): void }): Promise<SecretRun> {
    const tokenSecret = token(32);
    const apiKey = `${token(18)}:${token(18)}:${tokenSecret}`;
    const bmcPassword = `bmc-${token(20)}`;
    const simLog = path.join(os.tmpdir(), `maas-sim-secrets-${process.pid}-${token(6)}.log`);
    const e2e = await startE2E({ machines: 2, apiKey, logFile: simLog });
    try {
        const fleet = await servers(e2e, 2);
        const keyNeedles = [...forms("API key", apiKey), ...forms("token secret", tokenSecret), { what: "OAuth signature", text: `%26${tokenSecret}` }];
        const bmcNeedles = forms("BMC password", bmcPassword);
        const needles = [...keyNeedles, ...bmcNeedles];
        const leaks: string[] = [];
        // An ordinary rollout of the first machine.
        const file = e2e.writeInput("fleet.json", fleetInput(fleet.slice(0, 1), { bmcPassword }));
        const s = await e2e.open("secrets", file);
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        leaks.push(...findLeaks("up output", up.stdout + up.stderr + up.log, needles));
        // The second machine at the most verbose logging the Automation API offers.
        e2e.writeInput("fleet.json", fleetInput(fleet, { bmcPassword }));
        let streamed = "";
        const verbose = await s.stack.up({ parallel: 256, continueOnError: true, logVerbosity: 9, logToStdErr: true, debug: true, onOutput: (x) => (streamed += x) });
        assert.equal(verbose.summary.result, "succeeded");
        t.diagnostic(`verbose up: ${verbose.stdout.length} bytes of stdout, ${verbose.stderr.length} bytes of stderr`);
        assert.ok(verbose.stderr.length > 10_000, "the engine really logged verbosely");
        const verboseText = verbose.stdout + streamed + verbose.stderr;
        const verboseLeaks = { apiKey: findLeaks("verbose up output", verboseText, keyNeedles), bmcPassword: findLeaks("verbose up output", verboseText, bmcNeedles) };
        const preview = await s.preview();
        leaks.push(...findLeaks("preview output", preview.stdout + preview.stderr + preview.log, needles));
        // `pulumi stack export` as an operator runs it (the Automation API's exportStack adds --show-secrets).
        const exported = execFileSync(path.join(locateEngine().binDir, "pulumi"), ["stack", "export", "--stack", "secrets"], {
            cwd: path.join(e2e.dir, "project"),
            env: { ...process.env, ...engineEnv({ stateDir: path.join(e2e.dir, "state"), homeDir: path.join(e2e.dir, "home") }) },
            encoding: "utf8",
        });
        leaks.push(...findLeaks("pulumi stack export", exported, needles));
        assert.ok(exported.includes("ciphertext"), "secret inputs are stored encrypted");
        // The check itself works: with --show-secrets the sealed BMC parameters are there, and they
        // open (with the API key, which never enters the engine) to the password.
        const shown = JSON.stringify(await s.stack.exportStack());
        const sealedValue = /sealed:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+/.exec(shown)?.[0];
        assert.ok(sealedValue, "the export with secrets shown holds the sealed power parameters");
        const { unsealJson } = require("@maas-automation/provider/dist/runtime/seal") as typeof import("@maas-automation/provider/dist/runtime/seal");
        assert.equal((unsealJson(sealedValue, apiKey) as Record<string, string>).power_pass, bmcPassword, "the needle finds a shown secret");
        for (const f of [...walk(path.join(e2e.dir, "state")), ...walk(path.join(e2e.dir, "home")), ...walk(path.join(e2e.dir, "project"))]) {
            if (f.includes(`${path.sep}plugins${path.sep}`)) continue;
            leaks.push(...findLeaks(path.relative(e2e.dir, f), fs.readFileSync(f, "latin1"), needles));
        }
        const destroy = await s.destroy();
        leaks.push(...findLeaks("destroy output", destroy.stdout + destroy.stderr + destroy.log, needles));
        const log = fs.readFileSync(simLog, "utf8");
        assert.ok(log.split("\n").length > 5, `the simulator logged the requests (${log.split("\n").length} lines)`);
        leaks.push(...findLeaks("the simulator's request log", log, needles));
        return { leaks, verboseLeaks, forms: needles.length, verboseStderrKiB: verbose.stderr.length >> 10 };
    } finally {
        await e2e.close();
        fs.rmSync(simLog, { force: true });
    }
}

