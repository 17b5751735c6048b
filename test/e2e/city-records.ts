import { isPromiseLike } from '../../src/core/maybe-promise.js'
import type { KafkaProducer } from '../../src/kafka/types.js'
import type { Serde } from '../../src/serde/serde.js'
import { citySerdes, type CityRecord } from '../../topologies/generator/index.js'

type TopicSerdes = { readonly keySerde: Serde<unknown>; readonly valueSerde: Serde<unknown> }

/**
 * Encodes generated records with their topics' serdes (one serde pair per topic, so a registry
 * serde registers once) and sends them in order, in batches. `serdesOf` overrides a topic's
 * serdes, e.g. for a topic the generator does not write.
 */
export async function sendCityRecords(
  producer: KafkaProducer,
  records: readonly CityRecord[],
  options: { schemaRegistryUrl?: string; serdesOf?: (topic: string) => TopicSerdes | undefined } = {},
): Promise<void> {
  const serdes = new Map<string, TopicSerdes>()
  const serdesFor = (topic: string): TopicSerdes => {
    let pair = serdes.get(topic)
    if (pair === undefined) {
      pair = options.serdesOf?.(topic) ?? citySerdes(topic, options.schemaRegistryUrl === undefined ? {} : { schemaRegistryUrl: options.schemaRegistryUrl })
      serdes.set(topic, pair)
    }
    return pair
  }
  const batch = []
  for (const record of records) {
    const { keySerde, valueSerde } = serdesFor(record.topic)
    const key = keySerde.serialize(record.key, { topic: record.topic, isKey: true })
    // Debezium's tombstone after a delete has no value at all.
    const value = record.value === null ? null : valueSerde.serialize(record.value, { topic: record.topic, isKey: false })
    batch.push({ topic: record.topic, key: isPromiseLike(key) ? await key : key, value: isPromiseLike(value) ? await value : value, timestamp: record.timestamp })
  }
  for (let i = 0; i < batch.length; i += 2_000) await producer.send(batch.slice(i, i + 2_000))
}
