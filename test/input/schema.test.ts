/** stacks/input.schema.json: generated from the zod schema, committed, and covering the original format. */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateInputSchema, repoRoot, SCHEMA_PATH } from "../../tools/gen-schema";

test("the committed stacks/input.schema.json equals a fresh generation from stacks/input.ts", () => {
  assert.equal(fs.readFileSync(SCHEMA_PATH, "utf8"), generateInputSchema(), "run: node --import tsx tools/gen-schema.ts");
});

/** Every property name the schema declares anywhere. */
function schemaKeys(): Set<string> {
  const keys = new Set<string>();
  const visit = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    if (o.properties && typeof o.properties === "object") for (const k of Object.keys(o.properties)) keys.add(k);
    Object.values(o).forEach(visit);
  };
  visit(JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")));
  return keys;
}

test("the schema declares every key of the original SDK's README (JSON blocks of seed-sdk.md) and of the issue's extensions", (t) => {
  const keys = schemaKeys();
  const seed = path.join(repoRoot(), "..", "shared", "seed-sdk.md");
  const fixtures = path.join(repoRoot(), "test", "fixtures", "seed");
  const docs: unknown[] = fs.readdirSync(fixtures).map((f) => JSON.parse(fs.readFileSync(path.join(fixtures, f), "utf8")));
  if (fs.existsSync(seed)) {
    const blocks = [...fs.readFileSync(seed, "utf8").matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
    assert.equal(blocks.length, 10);
    docs.push(...blocks);
  } else t.diagnostic("../shared/seed-sdk.md not found: checked the fixtures only");
  const used = new Set<string>();
  const collect = (v: unknown, parent?: string) => {
    if (Array.isArray(v)) return v.forEach((x) => collect(x, parent));
    if (!v || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      // Keys of power_parameters / bios are the operator's, not the schema's.
      if (parent !== "power_parameters" && parent !== "bios") used.add(k);
      collect(x, k);
    }
  };
  docs.forEach((d) => collect(d));
  const missing = [...used].filter((k) => !keys.has(k));
  assert.deepEqual(missing, []);
  const extensions = ["id", "adopt", "bios", "boot_disk", "reprovision", "layout", "volume_groups", "logical_volumes", "vlans", "default_gateway", "testing_scripts", "hwe_kernel", "user_data", "wait_release", "release_timeout", "secure_erase", "quick_erase"];
  assert.deepEqual(extensions.filter((k) => !keys.has(k)), []);
});
