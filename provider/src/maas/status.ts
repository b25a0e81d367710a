/**
 * MAAS node statuses, checked against canonical/maas 3.6.5 `src/maascommon/enums/node.py`
 * (NODE_STATUS and NODE_STATUS_CHOICES). Note FAILED_RELEASING's label is "Releasing failed".
 */
export const NODE_STATUS = {
  0: "New",
  1: "Commissioning",
  2: "Failed commissioning",
  3: "Missing",
  4: "Ready",
  5: "Reserved",
  6: "Deployed",
  7: "Retired",
  8: "Broken",
  9: "Deploying",
  10: "Allocated",
  11: "Failed deployment",
  12: "Releasing",
  13: "Releasing failed",
  14: "Disk erasing",
  15: "Failed disk erasing",
  16: "Rescue mode",
  17: "Entering rescue mode",
  18: "Failed to enter rescue mode",
  19: "Exiting rescue mode",
  20: "Failed to exit rescue mode",
  21: "Testing",
  22: "Failed testing",
} as const;

export type StatusName = (typeof NODE_STATUS)[keyof typeof NODE_STATUS];

export const STATUS_NAMES: readonly StatusName[] = Object.values(NODE_STATUS);

/** Every failure state (the in-progress → failed map of node_status.py). Default failure set of a wait. */
export const FAILURE_STATUSES: readonly StatusName[] = [
  "Failed commissioning",
  "Failed deployment",
  "Releasing failed",
  "Failed disk erasing",
  "Failed to enter rescue mode",
  "Failed to exit rescue mode",
  "Failed testing",
];

export function isStatusName(s: string): s is StatusName {
  return (STATUS_NAMES as readonly string[]).includes(s);
}

/** Bond modes (forms/interface.py BOND_MODE_CHOICES). */
export const BOND_MODES = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"] as const;
/** Filesystems accepted by format (FILESYSTEM_FORMAT_TYPE_CHOICES). */
export const FORMAT_FS_TYPES = ["ext2", "ext4", "xfs", "fat32", "vfat", "swap", "ramfs", "tmpfs", "btrfs", "zfsroot"] as const;
/** Storage layouts accepted by set_storage_layout (storage_layouts.py). */
export const STORAGE_LAYOUTS = ["flat", "lvm", "bcache", "vmfs6", "vmfs7", "custom", "blank"] as const;
