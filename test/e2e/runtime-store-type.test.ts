import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { readCheckpointFile } from '../../src/engine/checkpoint-file.js'
import { KafkaStreams } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, queryWhenReady, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'store-types'

/** The same count twice: in memory and on RocksDB, the instance's default supplier. */
function countsTwice() {
  const b = new StreamsBuilder()
  const grouped = b.stream<string, string>('pings', { keySerde: Serdes.string(), valueSerde: Serdes.string() }).groupByKey()
  grouped.count({ storeName: 'memory-counts', storeType: 'memory' })
  grouped.count({ storeName: 'disk-counts' })
  return b.build()
}

function countOf(app: KafkaStreams, store: string, key: string): Promise<number | undefined> {
  return queryWhenReady(async () => (await app.store<string, number>(store).get(key)) ?? 0)
}

// Kafka Streams' Materialized.withStoreType(IN_MEMORY) in an application whose stores are on RocksDB.
describe('a store kept in memory in a RocksDB application, across a restart', () => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(APP)
  })
  afterEach(() => env.close())

  it('is rebuilt from its changelog on restart while the RocksDB store starts from its checkpoint, and both count on', async () => {
    const { kafka } = env
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'pings', partitions: 2 }])
    const producer = kafka.track(kafka.clients.producer())
    const counted = (app: KafkaStreams, expected: Record<string, number>) => async () => {
      for (const store of ['memory-counts', 'disk-counts']) {
        for (const [key, n] of Object.entries(expected)) if ((await countOf(app, store, key)) !== n) return false
      }
      return true
    }
    // Default settings: the instance a user would run (commits every 30 s; close commits).
    const newInstance = () => env.track(new KafkaStreams(countsTwice(), { applicationId: APP, bootstrapServers: [env.kafka.broker.bootstrapServers], stateDir: env.stateDir }))

    const first = newInstance()
    await first.start()
    await producer.send(['a', 'b', 'a', 'c', 'a', 'b'].map((key) => ({ topic: 'pings', key: buf(key), value: buf('ping') })))
    await waitFor('the first pings counted in both stores', counted(first, { a: 3, b: 2, c: 1 }), 30_000)
    await first.close()

    // Only the RocksDB store's changelog is checkpointed; the memory store left nothing on disk.
    const appDir = join(env.stateDir, APP)
    const tasks = readdirSync(appDir).filter((name) => /^\d+_\d+$/.test(name))
    expect(tasks.sort()).toEqual(['0_0', '0_1'])
    for (const task of tasks) {
      expect(readCheckpointFile(join(appDir, task, '.checkpoint')).map((c) => c.topic)).toEqual([`${APP}-disk-counts-changelog`])
    }

    const second = newInstance()
    await second.start()
    await waitFor('the counts back after the restart', counted(second, { a: 3, b: 2, c: 1 }), 30_000)
    await producer.send(['a', 'c'].map((key) => ({ topic: 'pings', key: buf(key), value: buf('ping') })))
    await waitFor('the later pings counted on top', counted(second, { a: 4, b: 2, c: 2 }), 30_000)
  })
})
