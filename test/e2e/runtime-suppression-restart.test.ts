import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { partitionForKey } from '../../src/core/partitioner.js'
import { StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import type { IsolationLevel } from '../../src/kafka/index.js'
import { KafkaStreams, type ProcessingGuarantee } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { QueryableStoreTypes } from '../../src/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'rides-per-minute'
const PARTITIONS = 3
const MINUTE = 60_000
const COUNTS = 'rides-per-minute-counts'
/** Kafka Streams' name for the buffer: the index after the suppress processor's (0000000002). */
const BUFFER = 'KTABLE-SUPPRESS-STATE-STORE-0000000003'

/** Rides per zone and tumbling minute (grace 0), each minute's final count once the minute closes. */
function finalRidesPerMinute(): Topology {
  const s = Serdes.string()
  const b = new StreamsBuilder()
  b.stream<string, string>('rides', { keySerde: s, valueSerde: s })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE))
    .count({ storeName: COUNTS })
    .suppress(Suppressed.untilWindowCloses())
    .toStream()
    .map<string, number>((window, count) => [`${window.key}@${window.window.start}`, count])
    .to('final-counts', { keySerde: s, valueSerde: Serdes.json<number>() })
  return b.build()
}

/** Two zones per input partition, so that every task holds windows across the restart. */
function zonesByPartition(): string[][] {
  const zones: string[][] = Array.from({ length: PARTITIONS }, () => [])
  for (let i = 0; zones.some((z) => z.length < 2); i++) {
    const zone = `zone-${i}`
    const partition = partitionForKey(buf(zone), PARTITIONS)
    if (zones[partition]!.length < 2) zones[partition]!.push(zone)
  }
  return zones
}

describe.each<ProcessingGuarantee>(['at_least_once', 'exactly_once_v2'])('suppressed final counts across a restart (%s)', (processingGuarantee) => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(APP)
  })
  afterEach(() => env.close())

  const isolation: IsolationLevel = processingGuarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted'
  // At-least-once commits every 30 s by default, and the counts reach the suppression from the
  // record cache at a commit: finals come out up to 30 s after their input.
  const finalsWithinMs = processingGuarantee === 'at_least_once' ? 50_000 : 30_000
  const finals = async () => (await readText(env.reader(isolation), 'final-counts', PARTITIONS)).map((r) => `${r.key}=${r.value}`).sort()
  /** Default settings: the instance is the one a user would run. */
  const newInstance = (stateDir: string) =>
    env.track(new KafkaStreams(finalRidesPerMinute(), { applicationId: APP, bootstrapServers: [env.kafka.broker.bootstrapServers], stateDir, processingGuarantee }))

  it.each([
    ['after a restart in the same state directory', 'same-dir'],
    ['after a restart in an empty state directory, restored from the changelog topics alone', 'empty-dir'],
    ['after a second instance joined and took over some of the tasks (a rebalance)', 'rebalance'],
  ] as const)('emits the minute open at the change exactly once, %s', async (_, change) => {
    const { kafka } = env
    const admin = kafka.track(kafka.clients.admin())
    await admin.createTopics([
      { name: 'rides', partitions: PARTITIONS },
      { name: 'final-counts', partitions: PARTITIONS },
    ])
    const producer = kafka.track(kafka.clients.producer())
    const zones = zonesByPartition()
    // Minutes from now on: at-least-once waits for its 30 s commit, and the broker's 7-day retention
    // (checked every 30 s) would delete outputs stamped near the epoch before they are read.
    const T0 = Math.floor(Date.now() / MINUTE) * MINUTE
    const ride = (zone: string, timestamp: number) => ({ topic: 'rides', partition: partitionForKey(buf(zone), PARTITIONS), key: buf(zone), value: buf('ride'), timestamp: T0 + timestamp })
    const expected: string[] = []
    const minute0: ReturnType<typeof ride>[] = []
    const minute1: ReturnType<typeof ride>[] = []
    zones.flat().forEach((zone, i) => {
      for (let n = 0; n < 1 + (i % 3); n++) minute0.push(ride(zone, 1_000 + i * 100 + n))
      for (let n = 0; n < 1 + (i % 2); n++) minute1.push(ride(zone, MINUTE + 1_000 + i * 100 + n))
      expected.push(`${zone}@${T0}=${1 + (i % 3)}`)
    })

    const first = newInstance(env.stateDir)
    await first.start()
    const internal = Object.fromEntries(await admin.describeTopics([`${APP}-${BUFFER}-changelog`]))
    expect(internal).toEqual({ [`${APP}-${BUFFER}-changelog`]: PARTITIONS })
    // Minute 1's rides close minute 0 in every partition; minute 1 stays open.
    await producer.send([...minute0, ...minute1])
    await waitFor('the finals of minute 0', async () => (await finals()).length === expected.length, finalsWithinMs)
    expect(await finals()).toEqual([...expected].sort())
    const counts = first.store(COUNTS, QueryableStoreTypes.windowStore<string, number>())
    await waitFor('every ride of minute 1 counted', async () => {
      for (const [i, zone] of zones.flat().entries()) if ((await counts.fetch(zone, T0 + MINUTE)) !== 1 + (i % 2)) return false
      return true
    }, 30_000)
    let second: KafkaStreams
    if (change === 'rebalance') {
      second = newInstance(env.newStateDir())
      await second.start()
      // The topology has one sub-topology: each instance must end up with some of its tasks.
      const tasksOf = async (app: KafkaStreams) => (await app.metrics()).activeTasks
      await waitFor('both instances running tasks', async () => first.state() === 'RUNNING' && second.state() === 'RUNNING' && (await tasksOf(first)) > 0 && (await tasksOf(second)) > 0 && (await tasksOf(first)) + (await tasksOf(second)) === PARTITIONS, 30_000)
    } else {
      await first.close()
      second = newInstance(change === 'empty-dir' ? env.newStateDir() : env.stateDir)
      await second.start()
    }
    // One more ride of minute 1 per partition (on top of the restored count), then a ride of minute 2 closes minute 1.
    const late = zones.map((z) => ride(z[0]!, MINUTE + 50_000))
    await producer.send(late)
    await producer.send(zones.map((z) => ride(z[1]!, 2 * MINUTE + 1)))
    zones.flat().forEach((zone, i) => expected.push(`${zone}@${T0 + MINUTE}=${1 + (i % 2) + (zones.some((z) => z[0] === zone) ? 1 : 0)}`))
    await waitFor('the finals of minute 1', async () => (await finals()).length >= expected.length, finalsWithinMs)
    await second.close()
    if (change === 'rebalance') await first.close()
    if (change === 'rebalance' && processingGuarantee === 'at_least_once') {
      // The revoked tasks commit only once the group has moved on, so the new owner may start from
      // the previous commit and emit finals again: at-least-once repeats, never loses.
      expect([...new Set(await finals())].sort()).toEqual([...expected].sort())
    } else {
      expect(await finals()).toEqual([...expected].sort())
    }
  }, 200_000)
})
