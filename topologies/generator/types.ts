/**
 * The city simulation's contract: what it is asked for and what it yields. The simulation is
 * pure and deterministic (same options, same records); sending the records somewhere is the
 * caller's business (a Kafka producer in `tributary generate`, a TopologyTestDriver in tests).
 */

export interface CityOptions {
  /** Same seed, same data. Default 42. */
  readonly seed?: number
  /** Default 200. */
  readonly drivers?: number
  /** Default 1000. */
  readonly riders?: number
  /** Simulated seconds from `startMs`. Default 600. */
  readonly durationS?: number
  /** Event time of the first second. Default 2026-01-01T08:00:00Z. */
  readonly startMs?: number
  /** Average ride requests per simulated second across the city. Default drivers / 60. */
  readonly requestsPerSecond?: number
  /** Fraction of location pings delivered a few seconds after newer ones (0 to 1). Default 0. */
  readonly outOfOrderFraction?: number
  /** Fraction of pings delivered minutes late, past typical grace periods. Default 0. */
  readonly lateFraction?: number
  /** Fraction of records sent twice (the producer retried). Default 0. */
  readonly duplicateFraction?: number
  /** Also emit the repair shop's events (tickets, appointments, payments). Default false. */
  readonly repairShop?: boolean
}

/**
 * One record to send. `key` and `value` are plain values in the form the topic's serde writes
 * (see `citySerdes`): Debezium envelopes for the profile topics, Avro-ready objects (Dates,
 * decimal strings) for the repair shop's topics, JSON objects for the rest.
 */
export interface CityRecord {
  readonly topic: string
  readonly key: unknown
  readonly value: unknown
  /**
   * The record's event time (the Kafka record timestamp). Records are yielded in delivery order:
   * an out-of-order or late record comes after records with newer timestamps.
   */
  readonly timestamp: number
}
