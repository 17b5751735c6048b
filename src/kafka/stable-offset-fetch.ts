import { kGetApi, type Consumer } from '@platformatic/kafka'

type Api = (...args: unknown[]) => void
type GetApi = (name: string, callback: (error: Error | null, api?: Api) => void) => void

const stable = new WeakSet<Consumer>()

/**
 * Makes the consumer's OffsetFetch ask for stable offsets (KIP-447 `require_stable`), as Kafka's
 * consumer does under read_committed. `@platformatic/kafka` always sends false, and then Apache
 * Kafka answers with the previous offset while a transaction that committed newer ones is still
 * writing its markers: under exactly-once, a task that moves to another instance right after its
 * last commit would process that commit's records a second time. With the flag, the broker
 * answers UNSTABLE_OFFSET_COMMIT (retriable) until the transaction has completed.
 */
export function requireStableOffsets(consumer: Consumer): void {
  if (stable.has(consumer)) return
  stable.add(consumer)
  const target = consumer as unknown as Record<typeof kGetApi, GetApi>
  const getApi = target[kGetApi].bind(consumer)
  target[kGetApi] = (name, callback) =>
    getApi(name, (error, api) => {
      if (error !== null || api === undefined || name !== 'OffsetFetch') {
        callback(error, api)
        return
      }
      // OffsetFetch v8+: (connection, groups, requireStable, callback).
      callback(null, (connection: unknown, groups: unknown, _requireStable: unknown, done: unknown) => api(connection, groups, true, done))
    })
}
