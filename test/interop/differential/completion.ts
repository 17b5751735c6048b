/**
 * When an application has processed all of its input, read from the broker rather than guessed
 * from a timeout: its consumer group has committed every partition of its input topics and of its
 * own repartition topics up to their end offsets (an at-least-once commit follows the flush of
 * everything the committed records produced, so their outputs are written), and, checked again a
 * moment later, nothing moved: no end offset, no committed offset, no output.
 */
import { Admin } from '@platformatic/kafka'
import type { KafkaAdmin } from '../../../src/kafka/index.js'

export interface ProcessedCheck {
  /** The application ids (consumer groups) that must have processed everything. */
  readonly groups: readonly string[]
  /** Topics every group reads, with their partition counts. */
  readonly inputs: ReadonlyMap<string, number>
  /** Topics the applications write, with their partition counts. */
  readonly outputs: ReadonlyMap<string, number>
}

/** A snapshot of where the groups stand; `undefined` while some group is behind. */
type Progress = string | undefined

export class ProcessingProbe {
  readonly #client: Admin

  constructor(
    bootstrapServers: string,
    private readonly admin: KafkaAdmin,
    private readonly check: ProcessedCheck,
  ) {
    this.#client = new Admin({ clientId: 'differential-progress', bootstrapBrokers: [bootstrapServers] })
  }

  /** Resolves once two looks `settleMs` apart find every group caught up and nothing changed. */
  async waitUntilProcessed(options: {
    readonly settleMs?: number
    /** Only a bound for a broken run: a healthy run ends when the groups caught up, however long it took. */
    readonly timeoutMs: number
    /** Why to stop waiting at once (an application failed), or undefined. */
    readonly failure: () => string | undefined
    readonly describe: () => string
  }): Promise<void> {
    const deadline = Date.now() + options.timeoutMs
    let previous: Progress
    for (;;) {
      const failure = options.failure()
      if (failure !== undefined) throw new Error(`${failure}\n${options.describe()}`)
      const now = await this.progress()
      if (now !== undefined && now === previous) return
      previous = now
      if (Date.now() > deadline) throw new Error(`The applications did not process all input within ${options.timeoutMs} ms:\n${await this.lag()}\n${options.describe()}`)
      await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 500))
    }
  }

  async close(): Promise<void> {
    await this.#client.close()
  }

  private async progress(): Promise<Progress> {
    const parts: string[] = []
    for (const group of this.check.groups) {
      const behind = await this.behind(group)
      if (behind.length > 0) return undefined
    }
    for (const [topic, partitions] of [...this.check.inputs, ...this.check.outputs]) {
      const ends = await this.admin.listOffsets(topic, range(partitions), 'latest')
      parts.push(`${topic}:${[...ends.values()].join(',')}`)
    }
    for (const group of this.check.groups) parts.push(JSON.stringify(await this.committed(group), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
    return parts.join(' ')
  }

  /** `topic/partition committed < end` for each partition of `group`'s inputs and repartition topics not processed to its end. */
  private async behind(group: string): Promise<string[]> {
    const committed = await this.committed(group)
    const topics = new Map(this.check.inputs)
    const repartitions = await this.repartitionTopics(group)
    for (const [topic, count] of await this.admin.describeTopics(repartitions)) topics.set(topic, count)
    const behind: string[] = []
    for (const [topic, count] of topics) {
      const ends = await this.admin.listOffsets(topic, range(count), 'latest')
      for (const [partition, end] of ends) {
        const offset = committed.get(topic)?.get(partition) ?? 0n
        if (offset < end) behind.push(`${topic}/${partition} ${offset} < ${end}`)
      }
    }
    return behind
  }

  private async committed(group: string): Promise<Map<string, Map<number, bigint>>> {
    const [listed] = await this.#client.listConsumerGroupOffsets({ groups: [group] })
    const byTopic = new Map<string, Map<number, bigint>>()
    for (const topic of listed?.topics ?? []) {
      byTopic.set(topic.name, new Map(topic.partitions.filter((p) => p.committedOffset >= 0n).map((p) => [p.partitionIndex, p.committedOffset])))
    }
    return byTopic
  }

  private async repartitionTopics(group: string): Promise<string[]> {
    return (await this.#client.listTopics()).filter((topic) => topic.startsWith(`${group}-`) && topic.endsWith('-repartition'))
  }

  private async lag(): Promise<string> {
    const lines: string[] = []
    for (const group of this.check.groups) lines.push(`${group}: ${(await this.behind(group)).slice(0, 10).join('; ') || 'caught up'}`)
    return lines.join('\n')
  }
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i)
}
