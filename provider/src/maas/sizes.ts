/**
 * Size helpers matching MAAS's `machine_readable_bytes` (SI/decimal suffixes K M G T P E,
 * case-insensitive) and its 4 MiB partition alignment (PARTITION_ALIGNMENT_SIZE).
 */

const SUFFIX: Record<string, number> = { "": 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export const PARTITION_ALIGNMENT_SIZE = 4 * 1024 * 1024;

/**
 * Parse a MAAS size: an integer number of bytes, or a number with one SI suffix ("512M" = 512e6).
 * A trailing "B" is tolerated ("20GB"). Fractions are allowed and rounded down to whole bytes.
 */
export function parseMaasSize(s: string | number): number {
  if (typeof s === "number") {
    if (!Number.isFinite(s) || s < 0) throw new RangeError(`invalid size ${s}`);
    return Math.floor(s);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTPE]?)B?\s*$/i.exec(s);
  if (!m) throw new RangeError(`invalid size '${s}': expected bytes or a number with one of the suffixes K M G T P E (powers of 1000)`);
  const value = Number(m[1]) * SUFFIX[(m[2] ?? "").toUpperCase()]!;
  if (!Number.isSafeInteger(Math.floor(value))) throw new RangeError(`size '${s}' is too large`);
  return Math.floor(value);
}

/** Round a partition size down to the 4 MiB alignment MAAS applies. */
export function roundPartitionSize(n: number): number {
  return Math.floor(n / PARTITION_ALIGNMENT_SIZE) * PARTITION_ALIGNMENT_SIZE;
}
