import { Serdes } from '../../../src/serde/serdes.js'
import type { TestOutputTopic } from '../../../src/testing/index.js'

/** Every join scenario runs on both store engines. */
export const storeEngines = ['memory', 'rocksdb'] as const

export const int = Serdes.json<number>()
export const str = Serdes.string()

/** Kafka Streams' MockValueJoiner.TOSTRING_JOINER: `left+right`, `null` printed as such. */
export const toStringJoiner = (left: string | null, right: string | null): string => `${left}+${right}`

/** `[key, value, timestamp]` rows, as Kafka Streams' tests check KeyValueTimestamp lists; the topic is drained. */
export function rows<K, V>(topic: TestOutputTopic<K, V>): [K | null, V | null, number][] {
  return topic.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
}
