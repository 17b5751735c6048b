import type { Serde } from '../serde/serde.js'

/**
 * A table replicated in full to every instance: read from all partitions of its topic, outside the
 * consumer group, and bootstrapped before processing starts. Streams join it by any key they can
 * compute (`stream.join(globalTable, (k, v) => tableKey, joiner)`), without co-partitioning.
 *
 * @example
 * const riders = builder.globalTable<string, Rider>('rider_profiles', { keySerde: Serdes.string(), valueSerde: Serdes.json() })
 * rides.join(riders, (rideId, ride) => ride.riderId, (ride, rider) => ({ ...ride, rider: rider.name }))
 */
export class GlobalKTable<K, V> {
  /** @internal Global tables are made by `StreamsBuilder.globalTable`. */
  constructor(
    /** The store every instance keeps the table in (queryable with `getKeyValueStore`). */
    readonly queryableStoreName: string,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
  ) {
    Object.freeze(this)
  }
}
