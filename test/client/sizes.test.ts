import { test } from "node:test";
import assert from "node:assert/strict";
import type * as M from "../../provider/src/maas";
// Under tsx the sources run directly; compiled (dist/test/client) the provider's own build is used.
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;
const { parseMaasSize, roundPartitionSize } = maas;

test("sizes: SI suffixes are powers of 1000, case-insensitive, as MAAS's machine_readable_bytes", () => {
  assert.equal(parseMaasSize("512M"), 512_000_000);
  assert.equal(parseMaasSize("512m"), 512_000_000);
  assert.equal(parseMaasSize("1G"), 1_000_000_000);
  assert.equal(parseMaasSize("2T"), 2_000_000_000_000);
  assert.equal(parseMaasSize("4K"), 4000);
  assert.equal(parseMaasSize("1P"), 1e15);
  assert.equal(parseMaasSize("1.5G"), 1_500_000_000);
  assert.equal(parseMaasSize("20GB"), 20_000_000_000);
  assert.equal(parseMaasSize("123456"), 123456);
  assert.equal(parseMaasSize(4096), 4096);
});

test("sizes: garbage is rejected with a message naming the value", () => {
  for (const bad of ["", "abc", "12X", "-5", "1GG", "G"]) assert.throws(() => parseMaasSize(bad), /invalid size/);
  assert.throws(() => parseMaasSize(-1), RangeError);
});

test("sizes: partitions round down to 4 MiB", () => {
  const MiB = 1024 * 1024;
  assert.equal(roundPartitionSize(512_000_000), 488 * MiB);
  assert.equal(roundPartitionSize(4 * MiB), 4 * MiB);
  assert.equal(roundPartitionSize(4 * MiB - 1), 0);
  assert.equal(roundPartitionSize(10 * MiB + 5), 8 * MiB);
});
