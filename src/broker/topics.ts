import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { BrokerError } from './errors.js'
import type { BrokerLogger } from './logger.js'
import { PartitionLog } from './log/partition-log.js'
import { defaultTopicConfigs, logConfigFrom } from './log/topic-config.js'

export interface Topic {
  name: string
  id: string
  configs: Record<string, string>
  partitions: PartitionLog[]
}

interface PersistedTopic {
  name: string
  id: string
  partitions: number
  configs: Record<string, string>
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/

/** Returns why a topic name is not legal in Kafka, or null when it is. */
export function invalidTopicName(name: string): string | null {
  if (name.length === 0) return 'Topic name is empty.'
  if (name === '.' || name === '..') return `Topic name "${name}" is illegal.`
  if (name.length > 249) return `Topic name "${name}" is longer than 249 characters.`
  if (!TOPIC_NAME.test(name)) return `Topic name "${name}" has characters other than ASCII alphanumerics, '.', '_' and '-'.`
  return null
}

/**
 * The topics of the broker and their partition logs. Topic metadata (id, partition count,
 * configs) is kept in `topics.json`, rewritten atomically on every change; logs live in
 * `logs/<topic>-<partition>/`.
 */
export class TopicRegistry {
  private readonly topics = new Map<string, Topic>()
  /** Fetch v13+ names topics by id (KIP-516), so ids are looked up on every fetch. */
  private readonly ids = new Map<string, Topic>()
  private readonly metaFile: string
  private readonly logsDir: string

  constructor(
    readonly dataDir: string,
    private readonly logger: BrokerLogger,
    private readonly now: () => number,
    /** What a topic's configs default to on this broker (Kafka's, or the broker's own flush limits). */
    readonly configDefaults: Readonly<Record<string, string>> = defaultTopicConfigs,
  ) {
    this.metaFile = join(dataDir, 'topics.json')
    this.logsDir = join(dataDir, 'logs')
    mkdirSync(this.logsDir, { recursive: true })
  }

  load(): void {
    if (!existsSync(this.metaFile)) return
    let persisted: PersistedTopic[]
    try {
      persisted = JSON.parse(readFileSync(this.metaFile, 'utf8')) as PersistedTopic[]
    } catch (cause) {
      throw new BrokerError(`Topic metadata ${this.metaFile} is unreadable; restore it or start with an empty data directory.`, { cause })
    }
    for (const p of persisted) {
      const topic: Topic = { name: p.name, id: p.id, configs: p.configs, partitions: [] }
      for (let i = 0; i < p.partitions; i++) topic.partitions.push(this.openLog(topic, i))
      this.topics.set(p.name, topic)
      this.ids.set(p.id, topic)
    }
    this.logger.info('loaded topics', { count: persisted.length })
  }

  private openLog(topic: Topic, partition: number): PartitionLog {
    return new PartitionLog(join(this.logsDir, `${topic.name}-${partition}`), logConfigFrom(topic.configs, this.configDefaults), this.logger, this.now())
  }

  private persist(): void {
    const data: PersistedTopic[] = [...this.topics.values()].map((t) => ({
      name: t.name,
      id: t.id,
      partitions: t.partitions.length,
      configs: t.configs,
    }))
    const tmp = this.metaFile + '.tmp'
    writeFileSync(tmp, JSON.stringify(data, null, 2))
    const fd = openSync(tmp, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.metaFile)
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name)
  }

  /** The topic with this id; a deleted and recreated topic has a new id, so an old one is unknown. */
  byId(id: string): Topic | undefined {
    return this.ids.get(id)
  }

  partition(name: string, partition: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[partition]
  }

  all(): Topic[] {
    return [...this.topics.values()]
  }

  create(name: string, partitions: number, configs: Record<string, string>): Topic {
    // A topic deleted earlier may have left a folder behind if the process died mid-delete.
    for (let i = 0; i < partitions; i++) rmSync(join(this.logsDir, `${name}-${i}`), { recursive: true, force: true })
    const topic: Topic = { name, id: randomUUID(), configs: { ...configs }, partitions: [] }
    for (let i = 0; i < partitions; i++) topic.partitions.push(this.openLog(topic, i))
    this.topics.set(name, topic)
    this.ids.set(topic.id, topic)
    this.persist()
    this.logger.info('created topic', { topic: name, partitions })
    return topic
  }

  addPartitions(name: string, total: number): void {
    const topic = this.topics.get(name)
    if (topic === undefined) return
    for (let i = topic.partitions.length; i < total; i++) {
      rmSync(join(this.logsDir, `${name}-${i}`), { recursive: true, force: true })
      topic.partitions.push(this.openLog(topic, i))
    }
    this.persist()
  }

  delete(name: string): boolean {
    const topic = this.topics.get(name)
    if (topic === undefined) return false
    this.topics.delete(name)
    this.ids.delete(topic.id)
    this.persist()
    for (const log of topic.partitions) log.destroy()
    this.logger.info('deleted topic', { topic: name })
    return true
  }

  close(): void {
    for (const topic of this.topics.values()) for (const log of topic.partitions) log.close()
  }
}
