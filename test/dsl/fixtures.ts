import type { Windowed } from '../../src/core/windowed.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { TestOutputTopic } from '../../src/testing/index.js'

/** Every stateful scenario runs on both store engines. */
export const storeEngines = ['memory', 'rocksdb'] as const

export const str = Serdes.string()
export const num = Serdes.json<number>()
/** Windowed keys travel with the default (JSON) serde when no windowed serde is named. */
export const windowedStr = Serdes.json<Windowed<string>>()

/** `[key@start/end, value, timestamp]`: compact and close to how Kafka Streams' tests print windowed results. */
export function windowedRows<V>(topic: TestOutputTopic<Windowed<string>, V>): [string, V | null, number][] {
  return topic.readRecordsToList().map((r) => [`${r.key?.key}@${r.key?.window.start}/${r.key?.window.end}`, r.value, r.timestamp])
}
