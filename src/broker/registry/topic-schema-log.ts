import type { LocalTopics } from '../local-topics.js'
import type { SchemaLog } from './schema-log.js'

/** The topic Confluent's registry keeps its schemas in; compacted, one partition. */
export const SCHEMAS_TOPIC = '_schemas'

/** The registry's log on the embedded broker's `_schemas` topic, so schemas survive restarts. */
export class TopicSchemaLog implements SchemaLog {
  constructor(private readonly topics: LocalTopics, private readonly topic = SCHEMAS_TOPIC) {
    topics.ensureTopic(topic, 1, { 'cleanup.policy': 'compact' })
  }

  async append(key: string, value: string | null): Promise<void> {
    await this.topics.append(this.topic, 0, [{ key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: Date.now() }])
  }

  async readAll(): Promise<Array<{ key: string; value: string | null }>> {
    return this.topics
      .read(this.topic, 0)
      .filter((r) => r.key !== null)
      .map((r) => ({ key: r.key!.toString('utf8'), value: r.value === null ? null : r.value.toString('utf8') }))
  }
}
