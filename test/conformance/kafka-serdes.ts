import type { Serde } from '../../src/serde/serde.js'

/** Kafka's LongSerde (8 bytes, big-endian) for JS numbers: Tributary's Serdes.int64() works on bigint. */
export const longSerde: Serde<number> = {
  serialize(value) {
    const out = Buffer.alloc(8)
    out.writeBigInt64BE(BigInt(value))
    return out
  },
  deserialize(data) {
    return Number(data.readBigInt64BE(0))
  },
}
