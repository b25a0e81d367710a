// Secrets: with a random MAAS API key and BMC password for each run, neither appears raw, URL-encoded
// (the OAuth PLAINTEXT signature carries "%26<token secret>") or base64-encoded in what `up`, `preview`
// and `destroy` print, in the simulator's request log, in `pulumi stack export`, or anywhere in the
// backend's state and home directories; not even at the engine's most verbose logging (-v=9 --debug),
// where a Pulumi secret input is printed in clear: the BMC credentials travel sealed with the API key.
import { describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { secretRun } from "./secrets-run";

describe("secrets", { timeout: 600_000 }, () => {
    test("a random API key and BMC password never appear in output, the MAAS log, the export or the backend; not even at -v=9 --debug", async (t) => {
        const r = await secretRun(t);
        console.log(`reliability-figures secrets ${JSON.stringify({ forms: r.forms, verboseStderrKiB: r.verboseStderrKiB, leaks: r.leaks.length, verboseApiKeyLeaks: r.verboseLeaks.apiKey.length, verboseBmcLeaks: r.verboseLeaks.bmcPassword.length })}`);
        assert.deepEqual(r.leaks, [], "no secret leaked");
        assert.deepEqual(r.verboseLeaks.apiKey, [], "the API key does not leak even in the most verbose engine logs");
        assert.deepEqual(r.verboseLeaks.bmcPassword, [], "the BMC password does not leak even in the most verbose engine logs");
    });
});
