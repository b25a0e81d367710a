import { test } from "node:test";
import assert from "node:assert/strict";
import type * as L from "../../provider/src/runtime/layout-math";
// Under tsx the sources run directly; compiled (dist/test/unit) the provider's own build is used.
const lm = require(__filename.endsWith(".ts") ? "../../provider/src/runtime/layout-math" : "@maas-automation/provider/dist/runtime/layout-math") as typeof L;
const { seedLayout, normaliseLayout, resolveLayout, renderCurtin, observeLayout, compareLayout, selectDisk } = lm;

const MiB = 1024 * 1024;
const UEFI = { bootMethod: "uefi", architecture: "amd64/generic", isBootDisk: true };
const BIOS = { bootMethod: "pxe", architecture: "amd64/generic", isBootDisk: true };

function resolveOn(spec: L.LayoutSpec, size: number, facts = UEFI) {
    const { layout, problems } = normaliseLayout(spec);
    assert.deepEqual(problems, []);
    return resolveLayout(layout, { name: "sda", serial: "S4X", size }, facts);
}

test("seed layout: the original SDK's defaults on a 480 GB disk, sizes rounded down to 4 MiB as MAAS does", () => {
    const { resolved, problems } = resolveOn(seedLayout({}, "/dev/sda"), 480e9);
    assert.deepEqual(problems, []);
    assert.ok(resolved);
    assert.equal(resolved.disk.name, "sda");
    assert.deepEqual(
        resolved.partitions.map((p) => [p.size, p.fs, p.mount, p.bootable]),
        [
            [511_705_088, "fat32", "/boot/efi", true], // 512 MB = 512e6 bytes → 122 × 4 MiB
            [1_996_488_704, "xfs", "/boot", false], // 2 GB = 2e9 bytes → 476 × 4 MiB
            [477_483_761_664, "lvm-pv", null, false], // the rest, after 4 MiB + 1 MiB of GPT
        ],
    );
    const vg = resolved.volumeGroups[0]!;
    assert.equal(vg.name, "vg-main");
    assert.equal(vg.size, 477_479_567_360); // one 4 MiB extent kept for LVM metadata
    assert.deepEqual(
        vg.logicalVolumes.map((lv) => [lv.name, lv.size, lv.fs, lv.mount]),
        [
            ["root", 49_996_103_680, "xfs", "/"],
            ["home", 9_999_220_736, "xfs", "/home"],
            ["var", 9_999_220_736, "xfs", "/var"],
            ["var-log", 9_999_220_736, "xfs", "/var/log"],
            ["tmp", 9_999_220_736, "xfs", "/tmp"],
        ],
    );
});

test("seed layout: on a 960 GB disk only the rest partition and the VG grow", () => {
    const { resolved } = resolveOn(seedLayout(), 960e9);
    assert.ok(resolved);
    assert.equal(resolved.partitions[2]!.size, 957_484_105_728);
    assert.equal(resolved.volumeGroups[0]!.size, 957_479_911_424);
    assert.equal(resolved.volumeGroups[0]!.logicalVolumes[0]!.size, 49_996_103_680);
});

test("seed layout: every size is configurable under the original keys (MB = 10^6, GB = 10^9)", () => {
    const spec = seedLayout({ efi_mb: 1024, boot_size_g: 1, root_size_g: 100, tmp_size_g: 5 });
    assert.equal(spec.partitions[0]!.size, 1024e6);
    assert.equal(spec.partitions[1]!.size, 1e9);
    assert.equal(spec.volumeGroups[0]!.logicalVolumes[0]!.size, 100e9);
    assert.equal(spec.volumeGroups[0]!.logicalVolumes[4]!.size, 5e9);
    assert.deepEqual(seedLayout().disk, { bootDisk: true });
});

test("normalising: sizes MAAS would store identically normalise identically (no diff on re-apply)", () => {
    const a = normaliseLayout({ ...seedLayout({}, "/dev/sda"), setBootDisk: false }).layout;
    const b = normaliseLayout({ ...seedLayout({}, "sda"), partitions: seedLayout().partitions.map((p, i) => (i === 0 ? { ...p, size: "512M" } : p)) }).layout;
    assert.deepEqual(a, b);
    assert.equal(a.partitions[0]!.size, 511_705_088);
    // One byte more than a 4 MiB multiple rounds down to it; one byte less drops a whole 4 MiB.
    assert.equal(normaliseLayout({ ...seedLayout(), partitions: [{ size: 8 * MiB + 1, fs: "ext4", mount: "/" }], volumeGroups: [] }).layout.partitions[0]!.size, 8 * MiB);
    assert.equal(normaliseLayout({ ...seedLayout(), partitions: [{ size: 8 * MiB - 1, fs: "ext4", mount: "/" }], volumeGroups: [] }).layout.partitions[0]!.size, 4 * MiB);
    assert.equal(normaliseLayout({ ...seedLayout(), partitions: [{ size: "rest", fs: "ext4", mount: "/home/" }, { size: 1e9, fs: "ext4", mount: "/" }], volumeGroups: [] }).layout.partitions[0]!.mount, "/home");
});

test("an impossible layout fails with the numbers and nothing resolved", () => {
    const spec = seedLayout({ root_size_g: 50 });
    spec.partitions[2] = { size: 610e9 };
    const { resolved, problems } = resolveOn(spec, 480.1e9);
    assert.equal(resolved, undefined);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /needs 612\.5 GB, disk sda has 480\.1 GB/);
});

test("logical volumes that do not fit their volume group fail with both sizes", () => {
    const { resolved, problems } = resolveOn(seedLayout({ root_size_g: 500 }), 480e9);
    assert.equal(resolved, undefined);
    assert.match(problems[0]!, /volume group vg-main needs 540\.0 GB for its logical volumes, it has 477\.5 GB/);
});

test("UEFI machines need an EFI system partition; BIOS machines reserve 1 MiB for bios_grub", () => {
    const spec: L.LayoutSpec = { disk: { name: "sda" }, setBootDisk: false, partitions: [{ size: "rest", fs: "ext4", mount: "/" }], volumeGroups: [] };
    const uefi = resolveOn(spec, 480e9, UEFI);
    assert.equal(uefi.resolved, undefined);
    assert.match(uefi.problems[0]!, /UEFI: the layout needs an EFI system partition on disk sda \(fs fat32 mounted at \/boot\/efi/);
    const bios = resolveOn(spec, 480e9, BIOS);
    assert.ok(bios.resolved);
    assert.equal(bios.resolved.tableOverhead, 6 * MiB);
    assert.equal(bios.resolved.partitions[0]!.size, Math.floor((480e9 - 6 * MiB) / (4 * MiB)) * 4 * MiB);
    // Not the boot disk: no bios_grub.
    assert.equal(resolveOn(spec, 480e9, { ...BIOS, isBootDisk: false }).resolved!.tableOverhead, 5 * MiB);
});

test("disk-independent rules: duplicate mount, no /, two rests, bad fs, VG member with a filesystem", () => {
    const reasons = (spec: Partial<L.LayoutSpec>) => normaliseLayout({ disk: { name: "sda" }, setBootDisk: false, partitions: [], volumeGroups: [], ...spec }).problems.map((p) => p.reason).join(" | ");
    assert.match(reasons({ partitions: [{ size: 1e9, fs: "ext4", mount: "/" }, { size: 1e9, fs: "xfs", mount: "/" }] }), /mount point \/ is used twice \(partitions\[0\] and partitions\[1\]\)/);
    assert.match(reasons({ partitions: [{ size: 1e9, fs: "ext4", mount: "/srv" }] }), /nothing is mounted at \//);
    assert.match(reasons({ partitions: [{ size: "rest", fs: "ext4", mount: "/" }, { size: "rest", fs: "ext4", mount: "/srv" }] }), /at most one partition per disk may take the rest/);
    assert.match(reasons({ partitions: [{ size: 1e9, fs: "ntfs", mount: "/" }] }), /filesystem "ntfs" is not one MAAS can format/);
    assert.match(reasons({ partitions: [{ size: 1e9, mount: "/" }] }), /mounted but has no filesystem/);
    assert.match(reasons({ partitions: [{ size: 1e6, fs: "ext4", mount: "/" }] }), /less than MAAS's minimum of 4 MiB/);
    assert.match(
        reasons({ partitions: [{ size: 1e9, fs: "ext4", mount: "/boot" }], volumeGroups: [{ name: "vg0", partitions: [0, 3], logicalVolumes: [{ name: "root", size: "rest", fs: "xfs", mount: "/" }, { name: "b", size: "rest" }] }] }),
        /partition 0 is a physical volume of vg0.*partition index 3 does not exist.*at most one logical volume per volume group may take the rest/,
    );
    // A duplicate mount across a partition and an LV.
    assert.match(reasons({ partitions: [{ size: 1e9, fs: "ext4", mount: "/" }, { size: "rest" }], volumeGroups: [{ name: "vg0", partitions: [1], logicalVolumes: [{ name: "root", size: 1e9, fs: "xfs", mount: "/" }] }] }), /mount point \/ is used twice \(partitions\[0\] and vg0\/root\)/);
    // Swap needs no mount point: MAAS stores "none".
    const swap = normaliseLayout({ disk: {}, setBootDisk: false, partitions: [{ size: 1e9, fs: "swap" }, { size: "rest", fs: "ext4", mount: "/" }], volumeGroups: [] });
    assert.deepEqual(swap.problems, []);
    assert.equal(swap.layout.partitions[0]!.mount, "none");
    assert.equal(swap.layout.disk.bootDisk, true);
});

test("curtin rendering: disk, partitions, format, mount, lvm_volgroup, lvm_partition with byte sizes", () => {
    const { resolved } = resolveOn(seedLayout({}, "/dev/sda"), 480e9);
    const curtin = renderCurtin(resolved!);
    assert.equal(curtin.version, 1);
    const byId = new Map(curtin.config.map((e) => [e.id, e]));
    assert.deepEqual(curtin.config.map((e) => e.type).filter((t, i, a) => a.indexOf(t) === i), ["disk", "partition", "format", "mount", "lvm_volgroup", "lvm_partition"]);
    assert.deepEqual(byId.get("sda"), { id: "sda", type: "disk", ptable: "gpt", name: "sda", wipe: "superblock", grub_device: true, serial: "S4X" });
    assert.deepEqual(byId.get("sda-part1"), { id: "sda-part1", type: "partition", device: "sda", number: 1, size: "511705088B", wipe: "superblock", flag: "boot" });
    assert.deepEqual(byId.get("sda-part1_format"), { id: "sda-part1_format", type: "format", fstype: "fat32", volume: "sda-part1", label: "efi" });
    assert.deepEqual(byId.get("sda-part1_mount"), { id: "sda-part1_mount", type: "mount", path: "/boot/efi", device: "sda-part1_format" });
    assert.equal(byId.get("sda-part3_format"), undefined, "a physical volume is not formatted");
    assert.deepEqual(byId.get("vg-main"), { id: "vg-main", type: "lvm_volgroup", name: "vg-main", devices: ["sda-part3"] });
    assert.deepEqual(byId.get("vg-main-var-log"), { id: "vg-main-var-log", type: "lvm_partition", name: "var-log", volgroup: "vg-main", size: "9999220736B" });
    assert.deepEqual(byId.get("vg-main-root_mount"), { id: "vg-main-root_mount", type: "mount", path: "/", device: "vg-main-root_format" });
    // Every reference points at an entry that exists.
    for (const e of curtin.config) for (const k of ["device", "volume", "volgroup"]) if (typeof e[k] === "string") assert.ok(byId.has(e[k] as string), `${e.id}.${k}`);
    // BIOS boot: the implicit bios_grub partition comes first.
    const bios = renderCurtin(resolveOn({ disk: { name: "sda" }, setBootDisk: false, partitions: [{ size: "rest", fs: "ext4", mount: "/" }], volumeGroups: [] }, 480e9, BIOS).resolved!);
    assert.deepEqual(bios.config[1], { id: "sda-part1", type: "partition", device: "sda", number: 1, size: `${MiB}B`, flag: "bios_grub", wipe: "zero" });
    assert.equal(bios.config[2]!.id, "sda-part2");
});

test("read back: MAAS's view compared to the byte, differences named", () => {
    const { resolved } = resolveOn(seedLayout({}, "sda"), 480e9);
    const r = resolved!;
    const fs = (fstype: string, mount_point: string | null, label: string | null = null) => ({ fstype, mount_point, label });
    const devices = [
        {
            id: 1,
            name: "sda",
            type: "physical",
            size: 480e9,
            partitions: [
                { id: 10, size: r.partitions[0]!.size, bootable: true, filesystem: fs("fat32", "/boot/efi", "efi") },
                { id: 11, size: r.partitions[1]!.size, bootable: false, filesystem: fs("xfs", "/boot", "boot") },
                { id: 12, size: r.partitions[2]!.size, bootable: false, filesystem: fs("lvm-pv", null) },
            ],
        },
    ];
    const vgs = [
        {
            id: 5,
            name: "vg-main",
            size: r.volumeGroups[0]!.size,
            devices: [{ id: 12 }],
            logical_volumes: r.volumeGroups[0]!.logicalVolumes.map((lv) => ({ name: `vg-main-${lv.name}`, size: lv.size, filesystem: fs("xfs", lv.mount) })),
        },
    ];
    assert.deepEqual(compareLayout(r, observeLayout("sda", devices, vgs)), []);
    vgs[0]!.logical_volumes[1]!.size -= 4 * MiB;
    devices[0]!.partitions[1]!.filesystem = fs("ext4", "/boot");
    assert.deepEqual(compareLayout(r, observeLayout("sda", devices, vgs)), [
        "sda partition 2: filesystem ext4 in MAAS, xfs wanted",
        "sda partition 2: label none in MAAS, boot wanted",
        `logical volume vg-main/home: size ${9_999_220_736 - 4 * MiB} bytes in MAAS, 9999220736 wanted`,
    ]);
    assert.deepEqual(compareLayout(r, observeLayout("sdb", devices, vgs)), ["disk sda is no longer on the machine"]);
});

test("disk selection: by name, /dev/ name, serial, or the boot disk; a missing disk lists the machine's disks", () => {
    const devices = [
        { id: 3, name: "sda", type: "physical", size: 480e9, serial: "A1" },
        { id: 4, name: "sdb", type: "physical", size: 960e9, serial: "B2" },
        { id: 9, name: "vg-main-root", type: "virtual", size: 50e9, serial: null },
    ];
    const sel = (d: L.DiskSelector) => selectDisk(normaliseLayout({ disk: d, setBootDisk: false, partitions: [], volumeGroups: [] }).layout.disk, devices, 4);
    assert.equal(sel({ name: "/dev/sda" }).disk?.id, 3);
    assert.equal(sel({ serial: "B2" }).disk?.id, 4);
    assert.equal(sel({ bootDisk: true }).disk?.id, 4);
    assert.equal(sel({}).disk?.id, 4);
    assert.equal(sel({ name: "sdc" }).error, "disk sdc is not on this machine; the machine's disks: sda (480.0 GB, serial A1), sdb (960.0 GB, serial B2)");
    assert.match(sel({ name: "sda", serial: "B2" }).error!, /disk sda has serial A1, not B2/);
});
