/**
 * Which shard an account belongs to: FNV-1a (32 bit) of its lower-case hex address, modulo the
 * shard count. Every node and tool computes the same assignment; changing the count moves
 * accounts, so it is a deployment-wide setting (nodes must then start from an empty snapshot).
 * @example shardOf('0x00000000000000000000000000000000000A11cE', 4) // 0..3
 */
export function shardOf(account: string, count: number): number {
  if (count <= 1) return 0;
  const s = account.toLowerCase();
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}
