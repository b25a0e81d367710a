/** Splits `ids` so that each `<baseUrl>?id=a&id=b…` stays within `maxUrlBytes` (proxies refuse longer URLs). */
export function chunkIdsForUrl(baseUrl: string, ids: readonly string[], maxUrlBytes: number): string[][] {
  const base = baseUrl.length + 1;
  const chunks: string[][] = [];
  let cur: string[] = [];
  let len = base;
  for (const id of ids) {
    const add = 4 + encodeURIComponent(id).length; // "id=" + value + "&"
    if (cur.length && len + add > maxUrlBytes) {
      chunks.push(cur);
      cur = [];
      len = base;
    }
    cur.push(id);
    len += add;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}
