/**
 * MurmurHash3 x64 128-bit (seed 0), the hash Kafka Streams' foreign-key join puts on each
 * subscription: a response whose hash no longer matches the left row's current value is stale.
 * Returns the two 64-bit halves as 16 big-endian bytes.
 */
const MASK = (1n << 64n) - 1n
const C1 = 0x87c37b91114253d5n
const C2 = 0x4cf5ad432745937fn

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK

function fmix(k: bigint): bigint {
  k ^= k >> 33n
  k = (k * 0xff51afd7ed558ccdn) & MASK
  k ^= k >> 33n
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK
  k ^= k >> 33n
  return k
}

export function murmur3Hash128(data: Buffer): Buffer {
  const length = data.length
  const blocks = Math.floor(length / 16)
  let h1 = 0n
  let h2 = 0n
  for (let i = 0; i < blocks; i++) {
    let k1 = data.readBigUInt64LE(i * 16)
    let k2 = data.readBigUInt64LE(i * 16 + 8)
    k1 = (k1 * C1) & MASK
    k1 = rotl(k1, 31n)
    k1 = (k1 * C2) & MASK
    h1 ^= k1
    h1 = rotl(h1, 27n)
    h1 = (h1 + h2) & MASK
    h1 = (h1 * 5n + 0x52dce729n) & MASK
    k2 = (k2 * C2) & MASK
    k2 = rotl(k2, 33n)
    k2 = (k2 * C1) & MASK
    h2 ^= k2
    h2 = rotl(h2, 31n)
    h2 = (h2 + h1) & MASK
    h2 = (h2 * 5n + 0x38495ab5n) & MASK
  }
  const tail = blocks * 16
  let k1 = 0n
  let k2 = 0n
  const rest = length & 15
  for (let i = rest - 1; i >= 8; i--) k2 ^= BigInt(data[tail + i] as number) << BigInt((i - 8) * 8)
  if (rest > 8) {
    k2 = (k2 * C2) & MASK
    k2 = rotl(k2, 33n)
    k2 = (k2 * C1) & MASK
    h2 ^= k2
  }
  for (let i = Math.min(rest, 8) - 1; i >= 0; i--) k1 ^= BigInt(data[tail + i] as number) << BigInt(i * 8)
  if (rest > 0) {
    k1 = (k1 * C1) & MASK
    k1 = rotl(k1, 31n)
    k1 = (k1 * C2) & MASK
    h1 ^= k1
  }
  const len = BigInt(length)
  h1 ^= len
  h2 ^= len
  h1 = (h1 + h2) & MASK
  h2 = (h2 + h1) & MASK
  h1 = fmix(h1)
  h2 = fmix(h2)
  h1 = (h1 + h2) & MASK
  h2 = (h2 + h1) & MASK
  const out = Buffer.allocUnsafe(16)
  out.writeBigUInt64BE(h1, 0)
  out.writeBigUInt64BE(h2, 8)
  return out
}
