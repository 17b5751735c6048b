import { kGetApi, type Consumer } from '@platformatic/kafka'

/** Where a read_committed fetch response keeps each partition's aborted transactions for Tributary. */
export const ABORTED_TRANSACTIONS = Symbol('tributary.abortedTransactions')

const bypassed = new WeakSet<Consumer>()

type ApiCallback = (error: Error | null, response?: unknown) => void
type Api = (...args: unknown[]) => void
type GetApi = (name: string, callback: (error: Error | null, api?: Api) => void) => void

interface ResponsePartition {
  records?: unknown
  abortedTransactions?: unknown[] | null
  [ABORTED_TRANSACTIONS]?: unknown[] | null
}

/**
 * `@platformatic/kafka` drops aborted transactional batches from read_committed fetch responses
 * itself, keyed by producer id alone. It throws (an uncaught TypeError that kills the process)
 * when a fetch holds the abort marker of a transaction that wrote nothing to the partition, which
 * Kafka does not list among the aborted transactions (such markers follow a failed send or a
 * broker restart), and it filters the wrong range when one producer aborted twice in a fetch.
 * Tributary applies Kafka's rule itself (`PartitionFetcher`), so the client is handed an empty
 * list and the broker's list is moved aside for Tributary.
 */
export function bypassClientAbortFilter(consumer: Consumer): void {
  if (bypassed.has(consumer)) return
  bypassed.add(consumer)
  const target = consumer as unknown as Record<typeof kGetApi, GetApi>
  const getApi = target[kGetApi].bind(consumer)
  target[kGetApi] = (name, callback) =>
    getApi(name, (error, api) => {
      if (error !== null || api === undefined || name !== 'Fetch') {
        callback(error, api)
        return
      }
      callback(null, (...args: unknown[]) => {
        const done = args.at(-1) as ApiCallback
        api(...args.slice(0, -1), (fetchError: Error | null, response?: unknown) => {
          if (fetchError === null) moveAbortedAside(response)
          done(fetchError, response)
        })
      })
    })
}

function moveAbortedAside(response: unknown): void {
  const responses = (response as { responses?: { partitions?: ResponsePartition[] }[] } | undefined)?.responses ?? []
  for (const topic of responses) {
    for (const partition of topic.partitions ?? []) {
      partition[ABORTED_TRANSACTIONS] = partition.abortedTransactions ?? null
      if (partition.abortedTransactions) partition.abortedTransactions = []
    }
  }
}
