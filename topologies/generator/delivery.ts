import { VELOCITY_TOPICS } from '../velocity/domain.js'
import type { Prng } from './prng.js'
import { Timeline } from './timeline.js'
import type { CityRecord } from './types.js'

export interface DeliveryFractions {
  readonly outOfOrderFraction: number
  readonly lateFraction: number
  readonly duplicateFraction: number
}

/** An out-of-order ping arrives this many milliseconds after it was taken: inside typical grace periods. */
export const OUT_OF_ORDER_DELAY_MS: readonly [number, number] = [2_000, 8_000]
/** A late ping arrives minutes after it was taken (a phone that lost its connection): past typical grace periods. */
export const LATE_DELAY_MS: readonly [number, number] = [120_000, 300_000]

/**
 * The network between the city and Kafka: holds some location pings back (a few seconds or a few
 * minutes) so that they arrive after newer records, and sends some records twice, as a producer
 * that retries after a lost acknowledgement does. Its own random stream keeps the city itself the
 * same whatever the fractions are.
 */
export class Delivery {
  private readonly held = new Timeline<CityRecord>()

  constructor(private readonly prng: Prng, private readonly fractions: DeliveryFractions) {}

  /** Delivers the records of one simulated second (in event-time order) and whatever held record is due by `untilMs`. */
  *deliver(records: readonly CityRecord[], untilMs: number): Generator<CityRecord> {
    const { outOfOrderFraction, lateFraction } = this.fractions
    const delays = outOfOrderFraction > 0 || lateFraction > 0
    const duplicates = this.fractions.duplicateFraction
    for (const record of records) {
      while (this.held.peekTime() <= record.timestamp) yield* this.send(this.held.take()!)
      if (delays && record.topic === VELOCITY_TOPICS.vehicleLocations) {
        const draw = this.prng.next()
        if (draw < outOfOrderFraction) {
          this.held.schedule(record.timestamp + this.prng.int(...OUT_OF_ORDER_DELAY_MS), record)
          continue
        }
        if (draw < outOfOrderFraction + lateFraction) {
          this.held.schedule(record.timestamp + this.prng.int(...LATE_DELAY_MS), record)
          continue
        }
      }
      // Inline rather than through send(): this is the path of nearly every record.
      yield record
      if (duplicates > 0 && this.prng.next() < duplicates) yield record
    }
    while (this.held.peekTime() <= untilMs) yield* this.send(this.held.take()!)
  }

  /** Whatever is still held back when the simulation ends, in the order it was due. */
  *flush(): Generator<CityRecord> {
    while (this.held.size > 0) yield* this.send(this.held.take()!)
  }

  private *send(record: CityRecord): Generator<CityRecord> {
    yield record
    if (this.prng.chance(this.fractions.duplicateFraction)) yield record
  }
}
