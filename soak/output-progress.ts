import type { IsolationLevel, KafkaClients, KafkaReader } from '../src/kafka/index.js'
import { PARTITIONS, TOPICS } from './soak-topology.js'

/**
 * Follows the join's output topic: per partition, the highest ride number matched so far. A fault
 * is recovered from once every partition shows a ride the feeder created after it: records flow
 * end to end again, from the feeder through the instances to a reader.
 */
export class OutputProgress {
  private readonly reader: KafkaReader
  private readonly positions = Array.from({ length: PARTITIONS }, () => 0n)
  private readonly highest = Array.from({ length: PARTITIONS }, () => -1)

  constructor(clients: KafkaClients, isolationLevel: IsolationLevel) {
    this.reader = clients.reader({ isolationLevel })
  }

  /** Reads what was added since the last call; true when every partition has matched a ride numbered `n` or later. */
  async reached(n: number): Promise<boolean> {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const tp = { topic: TOPICS.matches, partition }
      const end = await this.reader.endOffset(tp)
      this.positions[partition] = await this.reader.readRange(tp, this.positions[partition] as bigint, end, (records) => {
        for (const r of records) {
          const ride = Number.parseInt(r.value?.toString('utf8') ?? '', 10)
          if (ride > (this.highest[partition] as number)) this.highest[partition] = ride
        }
      })
    }
    return this.highest.every((ride) => ride >= n)
  }

  close(): Promise<void> {
    return this.reader.close()
  }
}
