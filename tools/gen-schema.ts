/**
 * Writes stacks/input.schema.json from the zod schema the stack program validates with
 * (`InputFileSchema` in stacks/input.ts). The file is committed; test/input/schema.test.ts checks
 * that it equals a fresh generation.
 *
 *   node --import tsx tools/gen-schema.ts          # write
 *   node --import tsx tools/gen-schema.ts --check  # exit 1 when the committed file is stale
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { InputFileSchema } from "../stacks/input";

/** The repository root (works from tools/ under tsx and from dist/tools/ when compiled). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "stacks", "input.ts")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const SCHEMA_PATH = path.join(repoRoot(), "stacks", "input.schema.json");

/** The JSON Schema of the input file as text (the shape an operator writes: defaults optional). */
export function generateInputSchema(): string {
  const schema = z.toJSONSchema(InputFileSchema, { io: "input", target: "draft-2020-12" });
  return JSON.stringify(schema, null, 2) + "\n";
}

if (require.main === module) {
  const fresh = generateInputSchema();
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(SCHEMA_PATH) ? fs.readFileSync(SCHEMA_PATH, "utf8") : "";
    if (current !== fresh) {
      console.error(`${path.relative(process.cwd(), SCHEMA_PATH)} is stale: run node --import tsx tools/gen-schema.ts`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(SCHEMA_PATH, fresh);
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)}`);
  }
}
