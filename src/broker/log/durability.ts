import { BrokerError } from '../errors.js'

/**
 * When the broker makes what it writes durable with an fdatasync.
 *
 * - `interval` (the default), as Kafka: every append is written to the OS (its page cache)
 *   before the client is answered, so a killed broker process loses nothing it acknowledged. The
 *   disk sync is left to the OS, unless `flushMessages` / `flushMs` (Kafka's
 *   `log.flush.interval.messages` / `log.flush.interval.ms`, or a topic's `flush.messages` /
 *   `flush.ms`) ask for one. A power loss or kernel crash can lose what was acknowledged since a
 *   log's last sync: Kafka relies on replication there, and this broker has one replica.
 * - `always`: also fdatasync before an acks=-1 produce is answered, before a transaction's
 *   markers count as written, and before an offset commit or a transaction state change is
 *   acknowledged, so what was acknowledged survives a power loss too.
 */
export type FsyncMode = 'always' | 'interval'

export const FSYNC_MODES: readonly FsyncMode[] = ['always', 'interval']

/** How a broker's logs reach the disk: its partition logs and its offsets and transaction logs. */
export interface LogDurability {
  readonly fsync: FsyncMode
  /** Sync a log once this many messages were appended since its last sync; Infinity: never. */
  readonly flushMessages: number
  /** Sync a log that has unsynced messages once this many ms passed since its last sync; Infinity: never. */
  readonly flushMs: number
}

/** Kafka's defaults: no sync per request, none by count or time. */
export const DEFAULT_DURABILITY: LogDurability = Object.freeze({ fsync: 'interval', flushMessages: Infinity, flushMs: Infinity })

/** The options of `EmbeddedKafka.start` that choose the durability. */
export interface DurabilityOptions {
  fsync?: FsyncMode
  flushMessages?: number
  flushMs?: number
}

/** Validates the options (a BrokerError says which one is wrong) and fills in Kafka's defaults. */
export function durabilityOf(options: DurabilityOptions): LogDurability {
  const { fsync = DEFAULT_DURABILITY.fsync, flushMessages, flushMs } = options
  if (!FSYNC_MODES.includes(fsync)) {
    throw new BrokerError(`fsync must be ${FSYNC_MODES.map((m) => `'${m}'`).join(' or ')}, got ${JSON.stringify(fsync)}.`)
  }
  if (flushMessages !== undefined && !(Number.isSafeInteger(flushMessages) && flushMessages >= 1)) {
    throw new BrokerError(`flushMessages must be an integer >= 1 (messages appended to a log between two syncs), got ${flushMessages}.`)
  }
  if (flushMs !== undefined && !(Number.isSafeInteger(flushMs) && flushMs >= 0)) {
    throw new BrokerError(`flushMs must be an integer >= 0 (ms between two syncs of a log), got ${flushMs}.`)
  }
  return { fsync, flushMessages: flushMessages ?? Infinity, flushMs: flushMs ?? Infinity }
}
