import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { murmur2 } from '../../src/core/partitioner.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { GroupMemberDescription } from '../../src/kafka/types.js'
import { InstanceDirectory } from '../../src/runtime/instance-directory.js'
import { encodeSubscriptionInfo } from '../../src/runtime/subscription-info.js'
import { InvalidStateStoreError } from '../../src/runtime/interactive-queries.js'
import { tasksForTopology } from '../../src/engine/task-id.js'
import { Serdes } from '../../src/serde/index.js'
import type { Serde } from '../../src/serde/serde.js'
import { defaultSerdes } from './fixtures.js'

const APP = 'fleet'

/** Rides counted per driver (4 partitions), and per zone after a repartition (2 partitions). */
function topology() {
  const b = new StreamsBuilder()
  const rides = b.stream<string, { zone: string }>('rides', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ zone: string }>() })
  rides.groupByKey().count({ storeName: 'rides-per-driver' })
  rides.groupBy((_driver, ride) => ride.zone, { keySerde: Serdes.string() }).count({ storeName: 'rides-per-zone' })
  return b.build()
}

function directory(members: () => GroupMemberDescription[] | undefined) {
  const t = topology()
  const repartition = [...t.internalTopics.values()].find((s) => s.purpose === 'repartition')?.name as string
  const specs = tasksForTopology(
    t,
    APP,
    new Map([
      ['rides', 4],
      [`${APP}-${repartition}`, 2],
    ]),
  )
  const calls = { describe: 0 }
  let generationId = 1
  const dir = new InstanceDirectory({
    topology: t,
    applicationId: APP,
    specs,
    defaultSerdes,
    admin: {
      async describeGroupMembers(groupId) {
        expect(groupId).toBe(APP)
        calls.describe++
        return members()
      },
    },
    consumer: { groupMetadata: () => ({ groupId: APP, generationId, memberId: 'm', coordinatorId: 1 }) },
  })
  return { dir, calls, repartition: `${APP}-${repartition}`, nextGeneration: () => generationId++ }
}

const member = (id: string, server: string | undefined, assignment: [string, number][]): GroupMemberDescription => ({
  memberId: id,
  clientId: 'c',
  userData: encodeSubscriptionInfo({ ...(server === undefined ? {} : { applicationServer: server }), taskOffsetSums: new Map(), watermarks: 'off' }),
  assignment: assignment.map(([topic, partition]) => ({ topic, partition })),
})

const javaPartition = (key: string, partitions: number) => (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions

describe('InstanceDirectory', () => {
  it("hashes the key over its store's partitions and answers with the instance assigned that partition", async () => {
    const { dir, repartition } = directory(() => [
      member('a', 'app-1:8080', [
        ['rides', 0],
        ['rides', 2],
        [repartition, 1],
      ]),
      member('b', 'app-2:8080', [
        ['rides', 1],
        ['rides', 3],
        [repartition, 0],
      ]),
      member('c', undefined, []),
    ])
    for (const driver of ['d-1', 'd-2', 'd-3', 'd-4', 'd-5', 'd-6', 'd-7', 'd-8']) {
      const partition = javaPartition(driver, 4)
      expect(await dir.metadataForKey('rides-per-driver', driver)).toEqual({ host: partition % 2 === 0 ? 'app-1' : 'app-2', port: 8080, partition })
    }
    for (const zone of ['north', 'south', 'east', 'west']) {
      const partition = javaPartition(zone, 2)
      expect(await dir.metadataForKey('rides-per-zone', zone)).toEqual({ host: partition === 1 ? 'app-1' : 'app-2', port: 8080, partition })
    }
    const all = await dir.allMetadata()
    expect(all).toEqual([
      {
        host: 'app-1',
        port: 8080,
        stores: ['rides-per-driver', 'rides-per-zone'],
        partitions: [
          { topic: repartition, partition: 1 },
          { topic: 'rides', partition: 0 },
          { topic: 'rides', partition: 2 },
        ],
      },
      {
        host: 'app-2',
        port: 8080,
        stores: ['rides-per-driver', 'rides-per-zone'],
        partitions: [
          { topic: repartition, partition: 0 },
          { topic: 'rides', partition: 1 },
          { topic: 'rides', partition: 3 },
        ],
      },
    ])
  })

  it('serializes with the serde it is given, so a custom key format hashes as its producer did', async () => {
    const { dir } = directory(() => [member('a', 'app-1:1', [0, 1, 2, 3].map((p) => ['rides', p] as [string, number]))])
    const upper: Serde<string> = { serialize: (v) => Buffer.from(v.toUpperCase()), deserialize: (b) => b.toString() }
    const partition = (murmur2(Buffer.from('DRIVER-7')) & 0x7fffffff) % 4
    expect((await dir.metadataForKey('rides-per-driver', 'driver-7', upper)).partition).toBe(partition)
  })

  it("falls back to the application's default key serde when the topology names none", async () => {
    const b = new StreamsBuilder()
    b.stream<string, number>('trips').groupByKey().count({ storeName: 'trips-per-rider' })
    const t = b.build()
    const dir = new InstanceDirectory({
      topology: t,
      applicationId: APP,
      specs: tasksForTopology(t, APP, new Map([['trips', 5]])),
      defaultSerdes,
      admin: { describeGroupMembers: async () => [member('a', 'app-1:1', [0, 1, 2, 3, 4].map((p) => ['trips', p] as [string, number]))] },
      consumer: { groupMetadata: () => ({ groupId: APP, generationId: 1, memberId: 'a', coordinatorId: 1 }) },
    })
    // The default serde is JSON: the key's bytes are "rider-9" with its quotes.
    expect((await dir.metadataForKey('trips-per-rider', 'rider-9')).partition).toBe(javaPartition('"rider-9"', 5))
  })

  it('describes the group once per generation', async () => {
    let members = [member('a', 'app-1:1', [0, 1, 2, 3].map((p) => ['rides', p] as [string, number]))]
    const { dir, calls, nextGeneration } = directory(() => members)
    await dir.allMetadata()
    await Promise.all([dir.allMetadata(), dir.metadataForKey('rides-per-driver', 'x')])
    expect(calls.describe).toBe(1)
    members = [member('b', 'app-2:2', [0, 1, 2, 3].map((p) => ['rides', p] as [string, number]))]
    nextGeneration()
    expect((await dir.allMetadata()).map((m) => m.host)).toEqual(['app-2'])
    expect(calls.describe).toBe(2)
  })

  it('fails with a retriable error while the group rebalances or no advertised instance owns the partition', async () => {
    const rebalancing = directory(() => undefined)
    await expect(rebalancing.dir.allMetadata()).rejects.toMatchObject({ name: 'InvalidStateStoreError', canRetry: true })
    const unadvertised = directory(() => [member('a', undefined, [0, 1, 2, 3].map((p) => ['rides', p] as [string, number]))])
    await expect(unadvertised.dir.metadataForKey('rides-per-driver', 'x')).rejects.toBeInstanceOf(InvalidStateStoreError)
    await expect(unadvertised.dir.metadataForKey('no-store', 'x')).rejects.toBeInstanceOf(ConfigError)
  })
})
