/**
 * The two baselines of bench/fleet.ts, run as a child process (so its memory and CPU are measured
 * like the engine's), with the project's MaasClient (default options: 5 retries, 16 requests in
 * flight) and no watcher — each machine is polled on its own with GET machines/{id}/:
 *   sequential — the original SDK's flow: one machine after another: create, commission, wait,
 *                storage calls, network calls, deploy, wait; release (erase), wait; delete.
 *   parallel   — the same per-machine flow for every machine at once (what the other MAAS tools do).
 * A wait is the SDK's loop: sleep one poll interval, GET the machine, compare its status.
 * Usage: node dist/bench/baseline.js '<json BaselineArgs>'; prints one JSON line (BaselineResult).
 */
import type * as M from "@maas-automation/provider/dist/maas";
const maas = require(__filename.endsWith(".ts") ? "../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;

export interface BaselineMachine {
  hostname: string;
  macs: string[];
  bmcAddress: string;
}

export interface BaselineArgs {
  mode: "sequential" | "parallel";
  apiUrl: string;
  apiKey: string;
  /** Wall-clock poll interval (ms): 10 s of simulated time. */
  pollMs: number;
  storage: boolean;
  network: boolean;
  subnetCidr: string;
  machines: BaselineMachine[];
}

export interface BaselineResult {
  wallSeconds: number;
  failures: string[];
  polls: number;
  /** Time spent inside waits (ms); the rest of a sequential run is request time. */
  waitMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]!) as BaselineArgs;
  const c = new maas.MaasClient({ apiUrl: a.apiUrl, apiKey: a.apiKey });
  let polls = 0;
  let waitMs = 0;
  const waitUntil = async (sid: string, target: string, failure: string[], timeoutMs: number) => {
    const t0 = Date.now();
    try {
      return await waitLoop(sid, target, failure, timeoutMs, t0);
    } finally {
      waitMs += Date.now() - t0;
    }
  };
  const waitLoop = async (sid: string, target: string, failure: string[], timeoutMs: number, t0: number) => {
    for (;;) {
      await sleep(a.pollMs);
      polls++;
      const m = await c.getMachine(sid, `wait for ${target}`);
      if (m.status_name === target) return m;
      if (failure.includes(m.status_name)) throw new Error(`${m.hostname}: ${m.status_name}: ${m.status_message ?? ""}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`${m.hostname}: still ${m.status_name}`);
    }
  };
  const scale = a.pollMs / 10_000; // wall ms per simulated ms
  const lifecycle = async (x: BaselineMachine) => {
    const created = await c.createMachine({
      hostname: x.hostname,
      architecture: "amd64/generic",
      macAddresses: x.macs,
      powerType: "ipmi",
      powerParameters: { power_address: x.bmcAddress, power_user: "admin", power_pass: "bench" },
      commission: false,
    });
    const sid = created.system_id;
    if (created.status_name !== "Commissioning") await c.commission(sid);
    await waitUntil(sid, "Ready", ["Failed commissioning", "Failed testing"], 1_200_000 * scale + 60_000);
    if (a.storage) await sdkStorage(c, sid);
    if (a.network) await sdkNetwork(c, sid, a.subnetCidr);
    await c.deploy(sid, { distroSeries: "jammy" });
    await waitUntil(sid, "Deployed", ["Failed deployment"], 1_800_000 * scale + 60_000);
    await c.release(sid, { erase: true });
    await waitUntil(sid, "Ready", ["Failed disk erasing", "Releasing failed"], 1_800_000 * scale + 60_000);
    await c.deleteMachine(sid);
  };
  const failures: string[] = [];
  const t0 = Date.now();
  if (a.mode === "sequential") {
    for (const x of a.machines) {
      try {
        await lifecycle(x);
      } catch (e) {
        failures.push(`${x.hostname}: ${(e as Error).message}`);
      }
    }
  } else {
    const rs = await Promise.allSettled(a.machines.map(lifecycle));
    rs.forEach((r, i) => r.status === "rejected" && failures.push(`${a.machines[i]!.hostname}: ${(r.reason as Error).message}`));
  }
  const wallSeconds = (Date.now() - t0) / 1000;
  await c.close();
  const out: BaselineResult = { wallSeconds, failures: failures.slice(0, 20), polls, waitMs };
  process.stdout.write(JSON.stringify(out) + "\n");
}

/** The original SDK's layout: EFI 512 MB + /boot 2 GB XFS + LVM PV on the rest; vg-main with root/home/var/var-log/tmp (XFS). */
async function sdkStorage(c: M.MaasClient, sid: string): Promise<void> {
  const disks = await c.listBlockDevices(sid);
  const disk = disks.find((d) => d.name === "sda") ?? disks[0];
  if (!disk) throw new Error(`${sid}: no disk`);
  await c.setStorageLayout(sid, "blank");
  const efi = await c.createPartition(sid, disk.id, { size: 512e6, bootable: true });
  await c.formatPartition(sid, disk.id, efi.id, { fstype: "fat32" });
  await c.mountPartition(sid, disk.id, efi.id, { mountPoint: "/boot/efi" });
  const boot = await c.createPartition(sid, disk.id, { size: 2e9 });
  await c.formatPartition(sid, disk.id, boot.id, { fstype: "xfs" });
  await c.mountPartition(sid, disk.id, boot.id, { mountPoint: "/boot" });
  const pv = await c.createPartition(sid, disk.id, {});
  const vg = await c.createVolumeGroup(sid, { name: "vg-main", partitions: [pv.id] });
  const lvs: Array<[string, number, string]> = [
    ["root", 50e9, "/"],
    ["home", 10e9, "/home"],
    ["var", 10e9, "/var"],
    ["var-log", 10e9, "/var/log"],
    ["tmp", 10e9, "/tmp"],
  ];
  for (const [name, size, mountPoint] of lvs) {
    const lv = await c.createLogicalVolume(sid, vg.id, { name, size });
    await c.formatBlockDevice(sid, lv.id, { fstype: "xfs" });
    await c.mountBlockDevice(sid, lv.id, { mountPoint });
  }
}

/** bond0 = eth0 + eth1 (802.3ad, MTU 9000), DHCP on the fabric-0 subnet. */
async function sdkNetwork(c: M.MaasClient, sid: string, cidr: string): Promise<void> {
  const ifaces = await c.listInterfaces(sid);
  const parents = ["eth0", "eth1"].map((n) => ifaces.find((i) => i.name === n)?.id);
  if (parents.some((p) => p === undefined)) throw new Error(`${sid}: eth0/eth1 not found`);
  const subnets = await c.listSubnets();
  const subnet = subnets.find((s) => s.cidr === cidr);
  const bond = await c.createBond(sid, { name: "bond0", parents: parents as number[], mode: "802.3ad", mtu: 9000, lacpRate: "fast", xmitHashPolicy: "layer3+4" });
  await c.linkSubnet(sid, bond.id, { mode: "dhcp", ...(subnet ? { subnet: subnet.id } : {}) });
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`baseline: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
