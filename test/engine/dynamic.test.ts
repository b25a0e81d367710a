// The engine works end to end with a dynamic provider: up -> preview (no changes) -> refresh -> destroy,
// through the real CLI on a local file backend. The resource is a file, so every step has an effect
// this test can observe outside Pulumi.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { openStack } from "../../stacks/automation";

const fileProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { path: string; text: string }) {
        require("fs").writeFileSync(inputs.path, inputs.text);
        return { id: inputs.path, outs: { path: inputs.path, text: inputs.text } };
    },
    async read(id: string, props: { path: string; text: string }) {
        const fsm = require("fs");
        if (!fsm.existsSync(id)) return {};
        return { id, props: { ...props, text: fsm.readFileSync(id, "utf8") } };
    },
    async diff(_id: string, olds: { text: string }, news: { text: string }) {
        return { changes: olds.text !== news.text };
    },
    async update(_id: string, _olds: unknown, news: { path: string; text: string }) {
        require("fs").writeFileSync(news.path, news.text);
        return { outs: { path: news.path, text: news.text } };
    },
    async delete(id: string) {
        require("fs").rmSync(id, { force: true });
    },
};

class FileResource extends pulumi.dynamic.Resource {
    constructor(name: string, props: { path: string; text: string }) {
        super(fileProvider, name, props);
    }
}

test("a dynamic resource goes through up, preview, refresh and destroy on the real engine", { timeout: 300_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maas-engine-"));
    const target = path.join(dir, "resource.txt");
    const program = async () => {
        const res = new FileResource("greeting", { path: target, text: "hello" });
        return { path: res.id };
    };
    const stack = await openStack({
        stackName: "engine-check",
        program,
        workDir: path.join(dir, "project"),
        stateDir: path.join(dir, "state"),
        homeDir: path.join(dir, "home"),
    });
    try {
        const up = await stack.up();
        assert.equal(up.summary.result, "succeeded");
        assert.equal(up.summary.resourceChanges?.create, 2); // the stack and the resource
        assert.equal(fs.readFileSync(target, "utf8"), "hello");
        assert.equal(up.outputs.path.value, target);

        const preview = await stack.preview();
        assert.deepEqual(Object.keys(preview.changeSummary).sort(), ["same"]);

        fs.writeFileSync(target, "changed behind the stack's back");
        const refresh = await stack.refresh();
        assert.equal(refresh.summary.resourceChanges?.update, 1);
        const state = await stack.exportStack();
        const res = state.deployment.resources.find((r: { type: string }) => r.type === "pulumi-nodejs:dynamic:Resource");
        assert.equal(res.outputs.text, "changed behind the stack's back");

        const destroy = await stack.destroy();
        assert.equal(destroy.summary.resourceChanges?.delete, 2);
        assert.equal(fs.existsSync(target), false);
    } finally {
        await stack.workspace.removeStack("engine-check").catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
