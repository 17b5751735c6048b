import type { KafkaProducer, OutgoingRecord } from '../src/kafka/index.js'
import { GRACE_MS, TOPICS, WINDOW_MS, type RideOffer, type RideRequest } from './soak-topology.js'

export const ZONES = Array.from({ length: 12 }, (_, i) => `zone-${String(i + 1).padStart(2, '0')}`)
const TICK_MS = 50
/** An offer follows its request by up to this much (event time and wall time alike). */
const MAX_OFFER_DELAY_MS = 2_000
const RETRY_PAUSE_MS = 250

const json = (value: unknown) => Buffer.from(JSON.stringify(value))

/**
 * The independent producer: `ridesPerSecond` ride requests spread over the zones, each followed by
 * an offer for the same ride within two seconds, stamped with the wall clock. A send that fails
 * (a cut connection, the broker down) is retried until it succeeds: a record may then be written
 * twice, which the soak's truth counts, since it is computed from what the input topics hold.
 */
export class Feeder {
  rides = 0
  failedSends = 0
  maxTimestamp = 0
  private stopped = false
  private readonly pendingOffers: { due: number; record: OutgoingRecord }[] = []
  private loop: Promise<void> | undefined

  constructor(
    private readonly producer: KafkaProducer,
    private readonly ridesPerSecond: number,
  ) {}

  start(): void {
    this.loop = this.run()
  }

  /** Stops producing and sends the offers still due. */
  async stop(): Promise<void> {
    this.stopped = true
    await this.loop
    if (this.pendingOffers.length > 0) await this.sendUntilAcked(this.pendingOffers.splice(0).map((p) => p.record))
  }

  /**
   * One request per zone stamped past every window's end plus grace: each closes the windows of
   * its repartition partition, so that every suppressed final comes out. They are counted like any
   * request; their own windows stay open.
   */
  async sendClosingRequests(): Promise<void> {
    const timestamp = this.maxTimestamp + WINDOW_MS + GRACE_MS + 1_000
    await this.sendUntilAcked(ZONES.map((zone, i) => this.request(`closing-${zone}`, { zone, n: -(i + 1) }, timestamp)))
  }

  private async run(): Promise<void> {
    const started = Date.now()
    while (!this.stopped) {
      const now = Date.now()
      const batch: OutgoingRecord[] = []
      const due = Math.floor(((now - started) / 1000) * this.ridesPerSecond)
      for (; this.rides < due; this.rides++) {
        const n = this.rides
        const rideId = `ride-${n}`
        batch.push(this.request(rideId, { zone: ZONES[n % ZONES.length] as string, n }, now))
        const delay = (n * 7919) % MAX_OFFER_DELAY_MS
        const offer: RideOffer = { driver: `driver-${n % 50}`, n }
        this.pendingOffers.push({ due: now + delay, record: { topic: TOPICS.offers, key: Buffer.from(rideId), value: json(offer), timestamp: now + delay } })
      }
      this.pendingOffers.sort((a, b) => a.due - b.due)
      while (this.pendingOffers.length > 0 && (this.pendingOffers[0] as { due: number }).due <= now) batch.push((this.pendingOffers.shift() as { record: OutgoingRecord }).record)
      if (batch.length > 0) await this.sendUntilAcked(batch)
      await new Promise((resolve) => setTimeout(resolve, TICK_MS))
    }
  }

  private request(rideId: string, request: RideRequest, timestamp: number): OutgoingRecord {
    this.maxTimestamp = Math.max(this.maxTimestamp, timestamp)
    return { topic: TOPICS.requests, key: Buffer.from(rideId), value: json(request), timestamp }
  }

  private async sendUntilAcked(batch: readonly OutgoingRecord[]): Promise<void> {
    for (;;) {
      try {
        await this.producer.send(batch)
        for (const r of batch) if (r.timestamp !== undefined) this.maxTimestamp = Math.max(this.maxTimestamp, r.timestamp)
        return
      } catch {
        this.failedSends++
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS))
      }
    }
  }
}
