/**
 * npm run bench [-- --quick] — what converging a fleet costs (issue 7).
 *
 * Per fleet size N (quick: 10 and 100; default: 10, 100 and 1,000), each approach on a fresh simulator
 * process (`--machines N --speed S --seed 7`), with the project's MaasClient:
 *   engine      — the stack program (machine → storage, network → deployment, when the program registers
 *                 them) on the real engine: `pulumi up`, then `pulumi destroy` (openMaasStack, private
 *                 state and home under a temp dir, parallel = max(DEFAULT_PARALLEL, 8 × N), continueOnError,
 *                 maas:pollInterval = 10 simulated seconds), the checkpoint written after every step.
 *   engine-endonly — the same with openMaasStack's checkpoints: "end-only" (PULUMI_SKIP_CHECKPOINTS: one
 *                 write of the checkpoint at the end of each command).
 *   per-machine — every machine at once, each polled by its own GET machines/{id}/ loop (bench/baseline.ts).
 *   sequential  — the original SDK's flow, one machine after another (bench/baseline.ts), at N = 10 and 100,
 *                 extrapolated linearly to 1,000; run at a higher speed to keep the run short (see below).
 * Records wall time, the ideal (slowest machine's busySeconds / speed), requests (from /_sim/stats),
 * peak RSS and CPU seconds of the engine, provider and baseline processes (from /proc), the checkpoint
 * size and the engine's time per resource step. Writes bench/RESULTS.md and bench/results.json.
 *
 * Options: --quick, --sizes 10,100,1000, --speed 50, --seq-speed 2000,
 *          --approaches engine,engine-endonly,per-machine,sequential, --no-write (print only), --out-dir DIR,
 *          --merge (keep rows of bench/results.json this run does not measure, e.g. after --sizes 1000),
 *          --max-load 3 --load-wait 600 (before each row, while the 1-minute load average is above
 *          max-load, wait — polling every 30 s — up to load-wait seconds; 0 = do not wait),
 *          --every-step-max 100 (the every-step engine only up to this N: its cost grows ∝ N², hours at 1,000),
 *          --report-only (re-render RESULTS.md from results.json, running nothing).
 * The load average before and after each row is recorded with the row (the CPUs may be shared).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as auto from "@pulumi/pulumi/automation";
import { DEFAULT_PARALLEL, openMaasStack } from "../stacks/runner";
import { locateEngine, projectRoot } from "../stacks/automation";
import { loadInputFile } from "../stacks/input";
import { planFromInput } from "../stacks/plan";
import { startSimProcess, requestFigures, type SimProcess, type SimStats, type RequestFigures, type SimInventory } from "./sim";
import { ProcessSampler, round, selfCpuSeconds, type ClassFigures, type ProcClass } from "./proc";
import type { BaselineArgs, BaselineResult } from "./baseline";

// ------------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  sizes: number[];
  speed: number;
  seqSpeed: number;
  approaches: Approach[];
  write: boolean;
  merge: boolean;
  outDir: string;
  seed: number;
  maxLoad: number;
  loadWaitSeconds: number;
  /** Largest N for the every-step engine (its cost grows ∝ N²: hours at 1,000). */
  everyStepMax: number;
  /** Only re-render RESULTS.md from results.json (no runs). */
  reportOnly: boolean;
}

type Approach = "engine" | "engine-endonly" | "per-machine" | "sequential";
type EngineApproach = "engine" | "engine-endonly";
const APPROACH_LABEL: Record<Approach, string> = {
  engine: "engine, every-step checkpoints",
  "engine-endonly": "engine, end-only checkpoints",
  "per-machine": "per-machine polling, all at once",
  sequential: "original SDK, sequential",
};
const SIMULATED_POLL_S = 10;
const SUBNET = "10.0.0.0/24";
/** Engine parallelism per machine: above the resources per machine (machine, storage, bond, links, deployment). */
const PARALLEL_PER_MACHINE = 8;

function parseOptions(argv: string[]): Options {
  const o: Options = {
    quick: false,
    sizes: [],
    speed: 50,
    seqSpeed: 2000,
    approaches: ["engine", "engine-endonly", "per-machine", "sequential"],
    write: true,
    merge: false,
    outDir: path.join(projectRoot, "bench"),
    seed: 7,
    maxLoad: 3,
    loadWaitSeconds: 600,
    everyStepMax: 100,
    reportOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--sizes") o.sizes = val().split(",").map(Number);
    else if (a === "--speed") o.speed = Number(val());
    else if (a === "--seq-speed") o.seqSpeed = Number(val());
    else if (a === "--seed") o.seed = Number(val());
    else if (a === "--approaches") o.approaches = val().split(",") as Approach[];
    else if (a === "--no-write") o.write = false;
    else if (a === "--merge") o.merge = true;
    else if (a === "--out-dir") o.outDir = path.resolve(val());
    else if (a === "--max-load") o.maxLoad = Number(val());
    else if (a === "--load-wait") o.loadWaitSeconds = Number(val());
    else if (a === "--every-step-max") o.everyStepMax = Number(val());
    else if (a === "--report-only") o.reportOnly = true;
    else if (a === "-h" || a === "--help") {
      process.stdout.write("usage: node dist/bench/fleet.js [--quick] [--sizes 10,100,1000] [--speed 50] [--seq-speed 2000] [--approaches engine,engine-endonly,per-machine,sequential] [--no-write] [--merge] [--out-dir DIR] [--max-load 3] [--load-wait 600] [--every-step-max 100] [--report-only]\n");
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  for (const a of o.approaches) if (!(a in APPROACH_LABEL)) throw new Error(`unknown approach: ${a} (${Object.keys(APPROACH_LABEL).join(", ")})`);
  if (!o.sizes.length) o.sizes = o.quick ? [10, 100] : [10, 100, 1000];
  return o;
}

// ------------------------------------------------------------------------------------------------
// Results

export interface Result {
  approach: string;
  machines: number;
  /** Wall time of the whole lifecycle (s), on the common speed's clock. */
  wallSeconds: number;
  /** Slowest machine's busySeconds (virtual, whole lifecycle) / speed. */
  idealSeconds: number;
  wallOverIdeal: number;
  /** API requests in total (from /_sim/stats). */
  requests: number;
  requestsPerMachine: number;
  /** Peak RSS (MB): engine + provider processes for the engine; the baseline process otherwise. */
  peakRssMb: number;
  cpuSeconds: number;
  extrapolated: boolean;
  speed: number;
  failures: number;
  details: Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------------
// Input file

function programRegisters(): { storage: boolean; network: boolean } {
  // The program compiled next to this file: storage/network resources present when it constructs them.
  const file = path.join(projectRoot, "dist", "stacks", "program.js");
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  return { storage: /new\s+\S*MaasStorageLayout\b/.test(text), network: /new\s+\S*MaasBond\b/.test(text) || /new\s+\S*MaasNetwork\b/.test(text) };
}

function inputFile(inv: SimInventory, features: { storage: boolean; network: boolean }): Record<string, unknown> {
  const actions = ["create_machine", "set_power"];
  if (features.storage) actions.push("configure_storage");
  actions.push("commission");
  if (features.network) actions.push("configure_network");
  actions.push("deploy");
  return {
    $comment: "Written by bench/fleet.ts from the simulator's GET /_sim/inventory",
    actions,
    machines: inv.servers.map((s) => ({
      hostname: s.hostname,
      pxe_mac: s.macs[0],
      power_type: "ipmi",
      power_parameters: { power_address: s.bmcAddress, power_user: "admin", power_pass: "bench" },
      distro_series: "jammy",
      release: { wipe_disks: true },
      ...(features.storage
        ? { storage: { device: "/dev/sda", params: { efi_mb: 512, boot_size_g: 2, root_size_g: 50, home_size_g: 10, var_size_g: 10, var_log_size_g: 10, tmp_size_g: 10 } } }
        : {}),
      ...(features.network
        ? {
            network: {
              bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode: "802.3ad", mtu: 9000, lacp_rate: "fast", xmit_hash_policy: "layer3+4" }],
              interfaces: [{ name: "bond0", subnet: SUBNET, ip_mode: "dhcp" }],
            },
          }
        : {}),
    })),
  };
}

// ------------------------------------------------------------------------------------------------
// Engine run

interface StepTimes {
  pre: Map<string, number>;
  out: Map<string, number>;
  ops: Record<string, number>;
}

function newSteps(): StepTimes {
  return { pre: new Map(), out: new Map(), ops: {} };
}

function onEngineEvent(steps: StepTimes) {
  return (e: auto.EngineEvent) => {
    const now = Date.now();
    if (e.resourcePreEvent) {
      const md = e.resourcePreEvent.metadata;
      if (md.type === "pulumi:pulumi:Stack" || md.type.startsWith("pulumi:providers:")) return;
      steps.pre.set(md.urn, now);
      steps.ops[md.op] = (steps.ops[md.op] ?? 0) + 1;
    } else if (e.resOutputsEvent) {
      const md = e.resOutputsEvent.metadata;
      if (md.type === "pulumi:pulumi:Stack" || md.type.startsWith("pulumi:providers:")) return;
      steps.out.set(md.urn, now);
    }
  };
}

const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * Engine scheduling gap per step: from the last output of a machine's resources at one level
 * (machine | storage, network | deployment; reversed for destroy) to the first pre-event at the next.
 * Event receipt has the Automation API's 200 ms tail granularity.
 */
function stepGaps(steps: StepTimes, names: Array<{ machine: string; storage: string; network: string; deployment: string }>, reverse: boolean): number[] {
  const byName = new Map<string, string[]>();
  for (const urn of new Set([...steps.pre.keys(), ...steps.out.keys()])) {
    const n = urnName(urn);
    const l = byName.get(n) ?? [];
    l.push(urn);
    byName.set(n, l);
  }
  const allNames = [...byName.keys()];
  const gaps: number[] = [];
  for (const nm of names) {
    const levelUrns = (prefixes: string[], exact?: string) =>
      allNames.filter((n) => (exact !== undefined && n === exact) || prefixes.some((p) => n === p || n.startsWith(p + "-"))).flatMap((n) => byName.get(n)!);
    let levels = [levelUrns([], nm.machine), levelUrns([nm.storage, nm.network]), levelUrns([nm.deployment])].filter((l) => l.length > 0);
    if (reverse) levels = levels.reverse();
    for (let i = 1; i < levels.length; i++) {
      const prevOut = Math.max(...levels[i - 1]!.map((u) => steps.out.get(u) ?? -Infinity));
      const nextPre = Math.min(...levels[i]!.map((u) => steps.pre.get(u) ?? Infinity));
      if (Number.isFinite(prevOut) && Number.isFinite(nextPre)) gaps.push(nextPre - prevOut);
    }
  }
  return gaps;
}

function selfPeakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    return m ? round(Number(m[1]) / 1024, 1) : 0;
  } catch {
    return 0;
  }
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function findFile(dir: string, name: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const f = findFile(p, name);
      if (f) return f;
    } else if (e.name === name) return p;
  }
  return undefined;
}

async function runEngine(n: number, o: Options, log: (s: string) => void, approach: EngineApproach): Promise<Result> {
  const checkpoints = approach === "engine-endonly" ? "end-only" : "every-step";
  const stackName = approach === "engine-endonly" ? `bench-endonly-${n}` : `bench-${n}`;
  const sim = await startSimProcess({ machines: n, speed: o.speed, seed: o.seed, root: projectRoot });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `maas-bench-${n}-`));
  try {
    const inv = await sim.inventory();
    const features = programRegisters();
    const file = path.join(dir, "fleet.json");
    fs.writeFileSync(file, JSON.stringify(inputFile(inv, features), null, 2));
    const loaded = loadInputFile(file);
    if (!loaded.ok) throw new Error(`bench input is invalid: ${loaded.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
    const names = planFromInput(loaded.value).machines.map((m) => m.names);
    const pollS = SIMULATED_POLL_S / o.speed;
    const { stack, runOptions } = await openMaasStack({
      inputFile: file,
      stackName,
      checkpoints,
      workDir: path.join(dir, "project"),
      stateDir: path.join(dir, "state"),
      homeDir: path.join(dir, "home"),
      apiUrl: sim.url,
      apiKey: sim.apiKey,
      config: { "maas:pollInterval": String(pollS), "maas:maxRetries": "5" },
    });
    // Never let the engine queue machines: every resource of the stack may run at once.
    const parallel = Math.max(DEFAULT_PARALLEL, runOptions.parallel, PARALLEL_PER_MACHINE * n);
    const run = { ...runOptions, parallel };
    const sampler = new ProcessSampler(new Set([sim.pid]));
    sampler.start();
    const cpu0 = process.cpuUsage();
    let engineLog = "";
    const onOutput = (s: string) => {
      engineLog = (engineLog + s).slice(-20000);
    };

    const upSteps = newSteps();
    const t0 = Date.now();
    let upError: string | undefined;
    try {
      await stack.up({ ...run, onOutput, onEvent: onEngineEvent(upSteps) });
    } catch (e) {
      upError = (e as Error).message.split("\n").slice(0, 5).join(" ");
    }
    const upWall = (Date.now() - t0) / 1000;
    const afterUpProcs = sampler.figures();
    const upSelfCpu = selfCpuSeconds(cpu0);
    const statsUp = await sim.stats();
    const checkpoint = JSON.stringify(await stack.exportStack()).length;
    const stateFile = findFile(path.join(dir, "state"), `${stackName}.json`);
    const stateBytes = stateFile ? fs.statSync(stateFile).size : 0;
    const deployed = Object.values(statsUp.machines).filter((m) => m.transitions.some((t) => t.to === "Deployed")).length;
    log(`  up: ${upWall.toFixed(1)} s, ${deployed}/${n} deployed${upError ? `, error: ${upError}` : ""}`);

    const downSteps = newSteps();
    const cpu1 = process.cpuUsage();
    const t1 = Date.now();
    let downError: string | undefined;
    try {
      await stack.destroy({ ...run, onOutput, onEvent: onEngineEvent(downSteps) });
    } catch (e) {
      downError = (e as Error).message.split("\n").slice(0, 5).join(" ");
    }
    const downWall = (Date.now() - t1) / 1000;
    const procs = sampler.stop();
    const downSelfCpu = selfCpuSeconds(cpu1);
    const statsAll = await sim.stats();
    const deleted = Object.values(statsAll.machines).filter((m) => m.deleted).length;
    log(`  destroy: ${downWall.toFixed(1)} s, ${deleted}/${n} deleted${downError ? `, error: ${downError}` : ""}`);
    if (upError || downError) log(engineLog.split("\n").slice(-15).join("\n"));

    const reqUp = requestFigures(statsUp);
    const reqDown = requestFigures(statsAll, statsUp);
    const reqAll = requestFigures(statsAll);
    const wall = upWall + downWall;
    const ideal = reqAll.maxBusySeconds / o.speed;
    const phaseIdeal = (reqUp.maxBusySeconds + reqDown.maxBusySeconds) / o.speed;
    const upStepsN = upSteps.pre.size;
    const downStepsN = downSteps.pre.size;
    const upGaps = stepGaps(upSteps, names, false);
    const downGaps = stepGaps(downSteps, names, true);
    const engineCpu = procs.engine.cpuSeconds;
    const peak = sampler.enginePlusProviderPeakMb();
    const elapsedIntervals = upWall / pollS;
    await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    return {
      approach: APPROACH_LABEL[approach],
      machines: n,
      wallSeconds: round(wall, 1),
      idealSeconds: round(ideal, 1),
      wallOverIdeal: round(wall / ideal, 3),
      requests: reqAll.total,
      requestsPerMachine: round(reqAll.total / n, 1),
      peakRssMb: round(peak, 1),
      cpuSeconds: round(engineCpu + procs.provider.cpuSeconds + upSelfCpu + downSelfCpu, 1),
      extrapolated: false,
      speed: o.speed,
      failures: n - deleted + (n - deployed),
      details: {
        upWallSeconds: round(upWall, 1),
        destroyWallSeconds: round(downWall, 1),
        upIdealSeconds: round(reqUp.maxBusySeconds / o.speed, 1),
        destroyIdealSeconds: round(reqDown.maxBusySeconds / o.speed, 1),
        /** Lower bound for a two-phase run (up, then destroy): slowest in up + slowest in destroy. */
        phaseIdealSeconds: round(phaseIdeal, 1),
        overheadSeconds: round(wall - phaseIdeal, 1),
        upOverheadSeconds: round(upWall - reqUp.maxBusySeconds / o.speed, 1),
        destroyOverheadSeconds: round(downWall - reqDown.maxBusySeconds / o.speed, 1),
        parallel,
        checkpoints,
        pollIntervalSeconds: pollS,
        resourcesRegistered: { storage: features.storage, network: features.network },
        actions: (inputFile(inv, features).actions as string[]).join(","),
        deployed,
        deleted,
        upError,
        destroyError: downError,
        requestsUp: reqUp,
        requestsDestroy: reqDown,
        requestsByRoutePerMachine: Object.fromEntries(Object.entries(reqAll.byRoute).map(([k, v]) => [k, round(v / n, 2)])),
        mutatingPerMachine: round(reqAll.mutating / n, 2),
        readsPerMachine: round(reqAll.reads / n, 2),
        maxRequestsOneMachine: reqAll.maxPerMachine,
        listRequestsPerPollIntervalUp: round(reqUp.listPolls / elapsedIntervals, 2),
        processes: procs,
        processesAfterUp: afterUpProcs,
        engineCpuSeconds: engineCpu,
        providerCpuSeconds: procs.provider.cpuSeconds,
        programHostCpuSeconds: round(upSelfCpu + downSelfCpu, 2),
        /** This process's VmHWM (MB) so far: it hosts the inline program (and the harness; peak since it started); not in peakRssMb. */
        programHostPeakRssMb: selfPeakRssMb(),
        enginePeakRssMb: procs.engine.peakRssMb,
        providerPeakRssMb: procs.provider.peakConcurrentRssMb,
        providerProcesses: procs.provider.processes,
        checkpointBytes: checkpoint,
        stateFileBytes: stateBytes,
        checkpointBytesPerMachine: Math.round(checkpoint / n),
        steps: { up: upStepsN, destroy: downStepsN, upOps: upSteps.ops, destroyOps: downSteps.ops },
        engineCpuMsPerStep: round((engineCpu * 1000) / Math.max(1, upStepsN + downStepsN), 2),
        /** Wall time over the two-phase ideal per resource step (ms): the engine's time per step as the operator sees it. */
        overheadMsPerStep: round(((wall - phaseIdeal) * 1000) / Math.max(1, upStepsN + downStepsN), 1),
        stepGapMs: {
          up: { median: pct(upGaps, 50), p95: pct(upGaps, 95), max: pct(upGaps, 100), count: upGaps.length },
          destroy: { median: pct(downGaps, 50), p95: pct(downGaps, 95), max: pct(downGaps, 100), count: downGaps.length },
        },
      },
    };
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------
// Baselines

function runBaselineChild(args: BaselineArgs): Promise<BaselineResult> {
  const script = path.join(__dirname, "baseline.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as BaselineResult);
      } catch {
        reject(new Error(`baseline exited ${code}: ${err || out}`));
      }
    });
  });
}

async function runBaseline(mode: "sequential" | "parallel", n: number, speed: number, o: Options, log: (s: string) => void): Promise<Result> {
  const sim = await startSimProcess({ machines: n, speed, seed: o.seed, root: projectRoot });
  try {
    const inv = await sim.inventory();
    const features = programRegisters();
    const sampler = new ProcessSampler(new Set([sim.pid]));
    sampler.start();
    const r = await runBaselineChild({
      mode,
      apiUrl: sim.url,
      apiKey: sim.apiKey,
      pollMs: (SIMULATED_POLL_S * 1000) / speed,
      storage: features.storage,
      network: features.network,
      subnetCidr: SUBNET,
      machines: inv.servers.map((s) => ({ hostname: s.hostname, macs: s.macs, bmcAddress: s.bmcAddress })),
    });
    const procs = sampler.stop();
    const stats = await sim.stats();
    const req = requestFigures(stats);
    // On the common clock (speed o.speed): a sequential run at a higher speed is scaled back.
    // Only the waits are MAAS time and scale with the speed; a sequential run's requests (outside the
    // waits) are counted at their real duration, not magnified k times.
    const k = speed / o.speed;
    const wall = k === 1 ? r.wallSeconds : (r.waitMs / 1000) * k + (r.wallSeconds - r.waitMs / 1000);
    const ideal = (req.maxBusySeconds / speed) * k;
    log(`  ${mode}: ${r.wallSeconds.toFixed(1)} s measured at ${speed}x${k !== 1 ? ` (= ${wall.toFixed(1)} s at ${o.speed}x)` : ""}, ${r.failures.length} failures${r.failures.length ? `: ${r.failures[0]}` : ""}`);
    return {
      approach: APPROACH_LABEL[mode === "parallel" ? "per-machine" : "sequential"],
      machines: n,
      wallSeconds: round(wall, 1),
      idealSeconds: round(ideal, 1),
      wallOverIdeal: round(wall / ideal, 3),
      requests: req.total,
      requestsPerMachine: round(req.total / n, 1),
      peakRssMb: procs.baseline.peakRssMb,
      cpuSeconds: procs.baseline.cpuSeconds,
      extrapolated: false,
      speed,
      failures: r.failures.length,
      details: {
        measuredWallSeconds: round(r.wallSeconds, 2),
        measuredWaitSeconds: round(r.waitMs / 1000, 2),
        uncorrectedScaledWallSeconds: round(r.wallSeconds * k, 1),
        measuredAtSpeed: speed,
        pollIntervalSeconds: SIMULATED_POLL_S / speed,
        polls: r.polls,
        failureSamples: r.failures.slice(0, 3),
        requestsByRoutePerMachine: Object.fromEntries(Object.entries(req.byRoute).map(([kk, v]) => [kk, round(v / n, 2)])),
        mutatingPerMachine: round(req.mutating / n, 2),
        readsPerMachine: round(req.reads / n, 2),
        machineGetsPerMachine: round(req.machineGets / n, 2),
        processes: procs,
      },
    };
  } finally {
    await sim.close();
  }
}

function extrapolateSequential(rows: Result[], target: number, idealAt: number | undefined): Result | undefined {
  const seq = rows.filter((r) => r.approach === APPROACH_LABEL.sequential && !r.extrapolated).sort((a, b) => a.machines - b.machines);
  if (seq.length < 2) return undefined;
  const a = seq[0]!;
  const b = seq[seq.length - 1]!;
  if (b.machines >= target) return undefined;
  const slope = (b.wallSeconds - a.wallSeconds) / (b.machines - a.machines);
  const wall = b.wallSeconds + slope * (target - b.machines);
  const ideal = idealAt ?? b.idealSeconds;
  const perMachine = b.requestsPerMachine;
  return {
    approach: APPROACH_LABEL.sequential,
    machines: target,
    wallSeconds: round(wall, 1),
    idealSeconds: round(ideal, 1),
    wallOverIdeal: round(wall / ideal, 3),
    requests: Math.round(perMachine * target),
    requestsPerMachine: perMachine,
    peakRssMb: b.peakRssMb,
    cpuSeconds: round(b.cpuSeconds * (target / b.machines), 1),
    extrapolated: true,
    speed: b.speed,
    failures: 0,
    details: { from: [a.machines, b.machines], wallPerMachineSeconds: round(slope, 3), idealFrom: idealAt !== undefined ? "measured slowest machine of the engine run at this N" : `slowest machine at N=${b.machines}` },
  };
}

// ------------------------------------------------------------------------------------------------
// Report

function engineVersion(): string {
  try {
    const { execFileSync } = require("node:child_process") as typeof import("node:child_process");
    return execFileSync(path.join(locateEngine().binDir, "pulumi"), ["version"], { env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }).toString().trim();
  } catch {
    return "unknown";
  }
}

function machineInfo(): Record<string, string | number> {
  const cpu = os.cpus()[0]?.model ?? "unknown";
  return {
    nproc: os.cpus().length,
    cpu,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    loadAverageAtEnd: os.loadavg().map((x) => x.toFixed(2)).join(" "),
    node: process.version,
    engine: engineVersion(),
    os: `${os.type()} ${os.release()}`,
  };
}

function table(rows: Result[]): string {
  const head = ["machines", "approach", "wall s", "ideal s", "wall/ideal", "requests/machine", "peak RSS MB", "CPU s", "load before → after"];
  const cells = rows.map((r) => [
    String(r.machines),
    r.approach + (r.extrapolated ? " (extrapolated)" : ""),
    r.wallSeconds.toFixed(1),
    r.idealSeconds.toFixed(1),
    r.wallOverIdeal.toFixed(2),
    r.requestsPerMachine.toFixed(1),
    r.peakRssMb.toFixed(0),
    r.cpuSeconds.toFixed(1),
    loadCell(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => "| " + c.map((x, i) => (i === 1 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(" | ") + " |";
  return [line(head), "|" + widths.map((w, i) => (i === 1 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|", ...cells.map(line)].join("\n");
}

/** 1-minute load averages when the row started and ended (the 2 CPUs are shared). */
function loadCell(r: Result): string {
  const l = r.details.load as { before: number[]; after: number[]; waitedSeconds: number } | undefined;
  if (!l) return r.extrapolated ? "" : "?";
  return `${l.before[0]!.toFixed(1)} → ${l.after[0]!.toFixed(1)}${l.waitedSeconds ? ` (waited ${Math.round(l.waitedSeconds)} s)` : ""}`;
}

const ENGINE_LABELS = [APPROACH_LABEL.engine, APPROACH_LABEL["engine-endonly"]];
const isEngine = (r: Result) => ENGINE_LABELS.includes(r.approach);

function engineTable(rows: Result[]): string {
  const e = rows.filter(isEngine).sort((a, b) => a.machines - b.machines || ENGINE_LABELS.indexOf(a.approach) - ENGINE_LABELS.indexOf(b.approach));
  const head = ["machines", "checkpoints", "up s", "destroy s", "two-phase ideal s", "overhead s", "steps", "overhead ms/step", "engine CPU s", "engine CPU ms/step", "provider CPU s", "program CPU s", "engine peak MB", "provider peak MB", "program host peak MB", "checkpoint KB", "gap up p50/p95 ms", "gap destroy p50/p95 ms"];
  const cells = e.map((r) => {
    const d = r.details as Record<string, any>;
    return [
      r.machines,
      d.checkpoints ?? "every-step",
      d.upWallSeconds,
      d.destroyWallSeconds,
      d.phaseIdealSeconds,
      d.overheadSeconds,
      d.steps.up + d.steps.destroy,
      d.overheadMsPerStep ?? round((d.overheadSeconds * 1000) / (d.steps.up + d.steps.destroy), 1),
      d.engineCpuSeconds,
      d.engineCpuMsPerStep,
      d.providerCpuSeconds,
      d.programHostCpuSeconds,
      d.enginePeakRssMb,
      d.providerPeakRssMb,
      d.programHostPeakRssMb ?? "",
      Math.round(d.checkpointBytes / 1024),
      `${d.stepGapMs.up.median}/${d.stepGapMs.up.p95}`,
      `${d.stepGapMs.destroy.median}/${d.stepGapMs.destroy.p95}`,
    ].map(String);
  });
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---:").join("|")}|`, ...cells.map((c) => `| ${c.join(" | ")} |`)].join("\n");
}

function routeTable(rows: Result[]): string {
  // Each approach at the largest N it was measured at.
  const picks = [...new Set(rows.map((r) => r.approach))]
    .map((a) => rows.filter((r) => r.approach === a && !r.extrapolated).sort((x, y) => y.machines - x.machines)[0])
    .filter((r): r is Result => r !== undefined);
  const routes = new Set<string>();
  for (const r of picks) for (const k of Object.keys((r.details.requestsByRoutePerMachine as Record<string, number>) ?? {})) routes.add(k);
  const sorted = [...routes].sort();
  const head = ["route", ...picks.map((p) => `${p.approach} (N=${p.machines})`)];
  const lines = sorted.map((k) => `| ${k} | ${picks.map((p) => String((p.details.requestsByRoutePerMachine as Record<string, number>)[k] ?? "")).join(" | ")} |`);
  return [`| ${head.join(" | ")} |`, `|:---|${picks.map(() => "---:").join("|")}|`, ...lines].join("\n");
}

function growth(rows: Result[]): string[] {
  const out: string[] = [];
  for (const label of ENGINE_LABELS) {
    const e = rows.filter((r) => r.approach === label && !r.extrapolated).sort((a, b) => a.machines - b.machines);
    for (let i = 1; i < e.length; i++) {
      const a = e[i - 1]!;
      const b = e[i]!;
      const da = a.details as Record<string, any>;
      const db = b.details as Record<string, any>;
      const f = b.machines / a.machines;
      out.push(
        `- ${label}, N ${a.machines} → ${b.machines} (×${f}): wall ×${round(b.wallSeconds / a.wallSeconds, 2)}, overhead over the two-phase ideal ${da.overheadSeconds} → ${db.overheadSeconds} s (${da.overheadMsPerStep} → ${db.overheadMsPerStep} ms/step), ` +
          `engine CPU ×${round(db.engineCpuSeconds / Math.max(0.01, da.engineCpuSeconds), 1)} (${da.engineCpuMsPerStep} → ${db.engineCpuMsPerStep} ms/step), ` +
          `engine peak RSS ${da.enginePeakRssMb} → ${db.enginePeakRssMb} MB (×${round(db.enginePeakRssMb / Math.max(0.1, da.enginePeakRssMb), 2)}), provider peak RSS ${da.providerPeakRssMb} → ${db.providerPeakRssMb} MB, ` +
          `checkpoint ${Math.round(da.checkpointBytes / 1024)} → ${Math.round(db.checkpointBytes / 1024)} KB (${da.checkpointBytesPerMachine} → ${db.checkpointBytesPerMachine} B/machine), ` +
          `requests/machine ${a.requestsPerMachine} → ${b.requestsPerMachine}.`,
      );
    }
  }
  for (const label of [APPROACH_LABEL["per-machine"], APPROACH_LABEL.sequential]) {
    const r = rows.filter((x) => x.approach === label).sort((a, b) => a.machines - b.machines);
    if (r.length >= 2)
      out.push(`- ${label}: ` + r.map((x) => `N=${x.machines}${x.extrapolated ? "*" : ""} wall ${x.wallSeconds} s (×${x.wallOverIdeal} ideal), ${x.requestsPerMachine} req/machine, ${x.peakRssMb} MB`).join("; ") + ".");
  }
  const p = everyStepProjection(rows, 1000);
  if (p) out.push(`- ${p}`);
  return out;
}

/**
 * What the every-step engine would take at `target` machines when it was not run there. Each step rewrites
 * the whole checkpoint (∝ N) under the engine's snapshot lock, so the cost per step is a + b·N (fitted on the
 * two measured sizes, for the engine's CPU per step and for the wall-clock overhead beyond the fixed
 * overhead per step), and the steps grow ∝ N: total ∝ N².
 */
function everyStepProjection(rows: Result[], target: number): string | undefined {
  const e = rows.filter((r) => r.approach === APPROACH_LABEL.engine && !r.extrapolated).sort((a, b) => a.machines - b.machines);
  if (e.length < 2 || e.some((r) => r.machines >= target)) return undefined;
  const a = e[0]!;
  const b = e[e.length - 1]!;
  const da = a.details as Record<string, any>;
  const db = b.details as Record<string, any>;
  const stepsA = da.steps.up + da.steps.destroy;
  const stepsB = db.steps.up + db.steps.destroy;
  const steps = (stepsB * target) / b.machines;
  const fit = (ya: number, yb: number) => {
    const slope = (yb - ya) / (b.machines - a.machines);
    return { slope, at: (n: number) => ya + slope * (n - a.machines) };
  };
  const cpu = fit(da.engineCpuMsPerStep, db.engineCpuMsPerStep);
  // Overhead beyond the fixed overhead (measured at the smallest N), per step.
  const fixed = da.overheadSeconds as number;
  const marginalB = ((db.overheadSeconds - fixed) * 1000) / stepsB;
  const ovSlope = marginalB / b.machines;
  const h = (ms: number) => round((ms * steps) / 3.6e6, 1);
  return (
    `${APPROACH_LABEL.engine} at N=${target} was not run. Measured: engine CPU ${da.engineCpuMsPerStep} → ${db.engineCpuMsPerStep} ms per step and overhead ${da.overheadMsPerStep} → ${db.overheadMsPerStep} ms per step from N=${a.machines} (${stepsA} steps) to N=${b.machines} (${stepsB} steps); ` +
    `the overhead beyond the fixed ${fixed} s is ${round(marginalB, 1)} ms per step at N=${b.machines} (${round(ovSlope, 2)} ms per machine per step), the engine CPU ${round(cpu.slope, 2)} ms per machine per step: each step rewrites the whole checkpoint (${db.checkpointBytesPerMachine} B per machine) under the engine's snapshot lock, so steps do not overlap. ` +
    `At N=${target} (${Math.round(steps)} steps): ≈ ${round(ovSlope * target, 0)} ms per step → ≈ ${h(ovSlope * target)} h of overhead (engine CPU ≈ ${round(cpu.at(target), 0)} ms per step → ≈ ${h(cpu.at(target))} h) against a ${round(b.idealSeconds, 0)} s ideal. Total engine work grows ∝ N².`
  );
}

interface TargetArgs {
  fixed: number;
  fixedAt: number;
}

function targets(rows: Result[], o: Options): string[] {
  const out: string[] = [];
  for (const label of ENGINE_LABELS) {
    const e = rows.filter((r) => r.approach === label).sort((a, b) => a.machines - b.machines);
    if (!e.length) continue;
    const t: TargetArgs = { fixed: (e[0]!.details as Record<string, any>).overheadSeconds as number, fixedAt: e[0]!.machines };
    out.push(
      `**${label}** — fixed engine overhead, measured at N=${t.fixedAt}: ${t.fixed} s over the two-phase ideal (engine start, program, provider start, up then destroy, poll granularity of ${SIMULATED_POLL_S} simulated s = ${SIMULATED_POLL_S / o.speed} s per wait).`,
    );
    for (const r of e) {
      const d = r.details as Record<string, any>;
      const bound = 1.05 * d.phaseIdealSeconds + t.fixed;
      const met = r.wallSeconds <= bound;
      const rb = d.requestsByRoutePerMachine as Record<string, number>;
      const listPerMachine = rb["GET machines/"] ?? 0;
      const subnetsPerMachine = rb["GET subnets/"] ?? 0;
      // The read budget of issue 7: find 1, layout read-back 1, network 2 per machine, subnets shared, shared polls / N.
      const budget = d.mutatingPerMachine + 4 + subnetsPerMachine + listPerMachine;
      const over = round(r.requestsPerMachine - budget, 2);
      out.push(
        `- N=${r.machines}: wall ${r.wallSeconds} s vs 1.05 × ${d.phaseIdealSeconds} + ${t.fixed} = ${round(bound, 1)} s → ${met ? "**met**" : `**missed** by ${round(r.wallSeconds - bound, 1)} s (${round(((r.wallSeconds - bound) / bound) * 100, 1)} %)`}; ` +
          `against the one-machine ideal ${r.idealSeconds} s: ×${r.wallOverIdeal}. ` +
          `Requests/machine ${r.requestsPerMachine}: mutating ${d.mutatingPerMachine}, reads ${d.readsPerMachine} (GET machines/ lists ${listPerMachine}, GET subnets/ ${subnetsPerMachine}, other reads ${round(d.readsPerMachine - listPerMachine - subnetsPerMachine, 2)}); ` +
          `budget mutating + 4 + subnets + lists = ${round(budget, 2)} → ${over <= 0.05 ? "**met**" : `**over by ${over}** per machine`}. ` +
          `GET machines/ (list polls and finds) per poll interval during up: ${d.listRequestsPerPollIntervalUp}.${r.failures ? ` FAILURES: ${r.failures}` : ""}`,
      );
    }
    if (!e.some((r) => r.machines >= 1000)) out.push(`- N=1000: not run for this approach (see "How the figures grow with N").`);
    out.push("");
  }
  return out;
}

/** Which runs the rows come from (a --merge run keeps rows of earlier runs). */
function runsLine(rows: Result[], command: string, started: Date, totalSeconds: number): string {
  const runs = new Map<string, { command: string; started: string; rows: string[] }>();
  for (const r of rows) {
    const run = r.details.run as { command: string; started: string } | undefined;
    if (!run) continue;
    const k = `${run.command}@${run.started}`;
    const e = runs.get(k) ?? { ...run, rows: [] };
    e.rows.push(`N=${r.machines} ${r.approach}`);
    runs.set(k, e);
  }
  const current = command ? `Generated by \`${command}\` (bench/fleet.ts) on ${started.toISOString()}, ${Math.round(totalSeconds)} s in all. Issue 7.` : `Rendered from bench/results.json by \`node dist/bench/fleet.js --report-only\`. Issue 7.`;
  if (runs.size <= 1) return current;
  return current + " Rows from " + [...runs.values()].map((r) => `\`${r.command}\` started ${r.started} (${r.rows.length} rows)`).join("; ") + ".";
}

function renderMarkdown(rows: Result[], o: Options, info: Record<string, string | number>, started: Date, totalSeconds: number, command: string): string {
  const e = rows.find(isEngine);
  const ed = (e?.details ?? {}) as Record<string, any>;
  return [
    "# Fleet benchmark",
    "",
    runsLine(rows, command, started, totalSeconds),
    "",
    `Machine: ${info.nproc} CPUs (${info.cpu}), ${info.memoryGb} GB, ${info.os}, Node ${info.node}, engine ${info.engine}; load average at the end ${info.loadAverageAtEnd}.`,
    "**The CPUs are shared** with other engineers' test runs on this 2-core machine, so wall times and the engine's overhead carry noise from them.",
    "",
    `Simulator: a separate process per run (\`--machines N --speed ${o.speed} --seed ${o.seed}\`), MAAS durations with ±15 % jitter (commissioning 180 + testing 120, deploying 900, disk erasing 120 virtual seconds): about 1,340 virtual s ≈ 22 min per machine, ${round(1340 / o.speed, 1)} s of wall clock at ${o.speed}×.`,
    `Engine: \`pulumi up\` then \`pulumi destroy\` through openMaasStack, parallel = max(DEFAULT_PARALLEL = ${DEFAULT_PARALLEL}, ${PARALLEL_PER_MACHINE} × N) (${[...new Map(rows.filter(isEngine).map((r) => [r.machines, `${(r.details as Record<string, unknown>).parallel} at N=${r.machines}`])).values()].join(", ")}: more than the stack's resources, so the engine never queues a step; DEFAULT_PARALLEL alone would queue steps whenever more than ${DEFAULT_PARALLEL} are ready at once — from about N = ${DEFAULT_PARALLEL / 2}, when each machine's storage and network run side by side), continueOnError, maas:pollInterval = ${SIMULATED_POLL_S / o.speed} s (${SIMULATED_POLL_S} simulated s), maas:maxRetries 5, maxConcurrentRequests 16 (default); two rows per N: checkpoints \`every-step\` (the default: the file backend rewrites the whole checkpoint after every resource step) and \`end-only\` (openMaasStack's \`checkpoints: "end-only"\`, PULUMI_SKIP_CHECKPOINTS: one write at the end of each command). Actions: ${ed.actions ?? "?"}` +
      (ed.resourcesRegistered && (!ed.resourcesRegistered.storage || !ed.resourcesRegistered.network)
        ? ` — the stack program did not register ${[!ed.resourcesRegistered.storage ? "storage" : "", !ed.resourcesRegistered.network ? "network" : ""].filter(Boolean).join(" and ")} resources when this ran, so neither the engine nor the baselines configure them.`
        : " (storage: the SDK layout on /dev/sda; network: bond0 = eth0 + eth1, 802.3ad, MTU 9000, DHCP on 10.0.0.0/24)."),
    `Baselines: bench/baseline.ts in a child process, the same MaasClient (defaults), each wait a loop of sleep ${SIMULATED_POLL_S} simulated s + GET machines/{id}/. ` +
      `The sequential flow runs at ${o.seqSpeed}× (poll ${(SIMULATED_POLL_S * 1000) / o.seqSpeed} ms) to keep the run short; its waits and ideal are multiplied by ${o.seqSpeed / o.speed} onto the ${o.speed}× clock and its requests outside the waits are counted at their measured duration (not magnified). Rows marked extrapolated are linear from N = 10 and 100 (exact for a sequential flow).`,
    "",
    `wall = the whole lifecycle (create → Deployed → released, erased → deleted); ideal = the slowest machine's own MAAS time (busySeconds of /_sim/stats ÷ speed); requests from /_sim/stats (a list of k machines counts 1/k to each); peak RSS = largest sum of the engine's and provider's resident memory in one 200 ms sample of /proc (every \`pulumi\` CLI process and dynamic-provider node process below the harness) for the engine, the baseline process otherwise; CPU = engine + provider + program host (this process) for the engine; load = the 1-minute load average of the machine when the row started and ended (before each row the harness waits, polling every 30 s for up to ${o.loadWaitSeconds} s, while it is above ${o.maxLoad}).`,
    "",
    table(rows),
    "",
    "## The engine itself",
    "",
    "Two-phase ideal = slowest machine of `up` + slowest machine of `destroy` (destroy starts when `up` ends). Gap = time from a machine's resource finishing to the engine's pre-event of its dependent (machine → storage/network → deployment, reversed in destroy); events are read by the Automation API's 200 ms file tail, so gaps below ~200 ms are noise.",
    "",
    engineTable(rows),
    "",
    "## Requests per machine by route (each approach at its largest measured N)",
    "",
    routeTable(rows),
    "",
    "## Targets",
    "",
    ...targets(rows, o),
    "",
    "## How the figures grow with N",
    "",
    ...growth(rows),
    "",
  ].join("\n");
}

// ------------------------------------------------------------------------------------------------

/** Waits (polling every 30 s, at most o.loadWaitSeconds) while the 1-minute load average is above o.maxLoad; returns the seconds waited. */
async function waitForLoad(o: Options, log: (s: string) => void): Promise<number> {
  const t0 = Date.now();
  while (os.loadavg()[0]! > o.maxLoad && (Date.now() - t0) / 1000 + 30 <= o.loadWaitSeconds) {
    log(`[bench] load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} > ${o.maxLoad}: waiting 30 s (${Math.round((Date.now() - t0) / 1000)} s so far)`);
    await new Promise((r) => setTimeout(r, 30_000));
  }
  const waited = (Date.now() - t0) / 1000;
  if (os.loadavg()[0]! > o.maxLoad && o.loadWaitSeconds > 0) log(`[bench] load still ${os.loadavg()[0]!.toFixed(2)} after ${Math.round(waited)} s: running anyway`);
  return round(waited, 0);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = new Date();
  const t0 = Date.now();
  const log = (s: string) => process.stderr.write(s + "\n");
  let rows: Result[] = [];
  const command = process.argv.slice(2).length ? `npm run bench -- ${process.argv.slice(2).join(" ")}` : "npm run bench";
  const measured: Result[] = [];
  if (o.reportOnly) {
    // Re-render RESULTS.md from results.json: the measured rows as they are, the extrapolation recomputed.
    const file = path.join(o.outDir, "results.json");
    const saved = (JSON.parse(fs.readFileSync(file, "utf8")) as Array<Result & { machine?: Record<string, string | number> }>).filter((r) => !r.extrapolated);
    rows = saved.map(({ machine: _m, ...r }) => r);
    const ideal1000 = rows.find((r) => r.machines === 1000 && !r.extrapolated)?.idealSeconds;
    const ex = extrapolateSequential(rows, 1000, ideal1000);
    if (ex) rows.push(ex);
    rows.sort((a, b) => a.machines - b.machines);
    const info = { ...machineInfo(), ...(saved[saved.length - 1]?.machine ?? {}) };
    const md = renderMarkdown(rows, o, info, started, 0, "");
    process.stdout.write(md + "\n");
    if (o.write) fs.writeFileSync(path.join(o.outDir, "RESULTS.md"), md);
    return;
  }
  // Written after every row, so a long run that is interrupted still leaves its figures.
  const report = (final: boolean) => {
    rows = [...measured];
    if (o.merge) {
    // Keep the rows of an earlier run (bench/results.json) that this run did not measure.
    const file = path.join(o.outDir, "results.json");
    const old = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Array<Result & { machine?: unknown }>) : [];
    for (const r of old) {
      if (r.extrapolated || rows.some((x) => x.approach === r.approach && x.machines === r.machines)) continue;
      rows.push({ ...r, details: { ...r.details, fromEarlierRun: true } });
    }
    }
    if (rows.some((r) => r.approach === APPROACH_LABEL.sequential)) {
      const ideal1000 = rows.find((r) => r.machines === 1000 && !r.extrapolated)?.idealSeconds;
      const ex = extrapolateSequential(rows, 1000, ideal1000);
      if (ex) rows.push(ex);
    }
    rows.sort((a, b) => a.machines - b.machines);
    const info = machineInfo();
    const md = renderMarkdown(rows, o, info, started, (Date.now() - t0) / 1000, command + (final ? "" : " (partial: run in progress)"));
    if (final) process.stdout.write(md + "\n");
    if (o.write) {
      fs.mkdirSync(o.outDir, { recursive: true });
      fs.writeFileSync(path.join(o.outDir, "RESULTS.md"), md);
      fs.writeFileSync(path.join(o.outDir, "results.json"), JSON.stringify(rows.map((r) => ({ ...r, machine: info })), null, 2) + "\n");
      if (final) log(`[bench] wrote ${path.join(o.outDir, "RESULTS.md")} and results.json`);
    }
  };
  const add = (r: Result) => {
    measured.push(r);
    report(false);
  };
  // One row: wait for a quiet machine (the CPUs are shared), run, record the load around it.
  const row = async (what: string, run: () => Promise<Result>) => {
    const waited = await waitForLoad(o, log);
    const before = os.loadavg().map((x) => round(x, 2));
    log(`[bench] ${what} (load ${before.join(" ")})`);
    const r = await run();
    const after = os.loadavg().map((x) => round(x, 2));
    r.details.load = { before, after, waitedSeconds: waited };
    r.details.run = { command, started: started.toISOString() };
    add(r);
  };
  for (const n of o.sizes) {
    if (o.approaches.includes("engine")) {
      if (n > o.everyStepMax) log(`[bench] engine with every-step checkpoints skipped at ${n} machines (> --every-step-max ${o.everyStepMax}: hours; see RESULTS.md)`);
      else await row(`engine, every-step checkpoints, ${n} machines, speed ${o.speed}`, () => runEngine(n, o, log, "engine"));
    }
    if (o.approaches.includes("engine-endonly")) await row(`engine, end-only checkpoints, ${n} machines, speed ${o.speed}`, () => runEngine(n, o, log, "engine-endonly"));
    if (o.approaches.includes("per-machine")) await row(`per-machine polling, ${n} machines, speed ${o.speed}`, () => runBaseline("parallel", n, o.speed, o, log));
    if (o.approaches.includes("sequential") && n <= 100) await row(`sequential (original SDK), ${n} machines, speed ${o.seqSpeed}`, () => runBaseline("sequential", n, o.seqSpeed, o, log));
  }
  report(true);
  if (rows.some((r) => r.failures > 0)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
