import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { createKafkaClients, type KafkaAdmin } from '../../src/kafka/index.js'
import { buf, startKafka, type KafkaFixture } from './fixtures.js'

describe('KafkaAdmin', () => {
  let kafka: KafkaFixture
  let admin: KafkaAdmin

  beforeEach(async () => {
    kafka = await startKafka()
    admin = kafka.track(kafka.clients.admin())
  })
  afterEach(async () => {
    await kafka.close()
  })

  it('creates topics with their partition counts and tolerates ones that already exist', async () => {
    await admin.createTopics([
      { name: 'app-drivers-changelog', partitions: 3, configs: { 'cleanup.policy': 'compact' } },
      { name: 'app-rekey-repartition', partitions: 5, configs: { 'retention.ms': '60000' } },
    ])
    // Again, with another count: the existing topic is left alone, the new one is created.
    await admin.createTopics([
      { name: 'app-drivers-changelog', partitions: 7 },
      { name: 'app-other', partitions: 1 },
    ])
    const counts = await admin.describeTopics(['app-drivers-changelog', 'app-rekey-repartition', 'app-other', 'missing'])
    expect(counts).toEqual(
      new Map([
        ['app-drivers-changelog', 3],
        ['app-rekey-repartition', 5],
        ['app-other', 1],
      ]),
    )
    expect(counts.has('missing')).toBe(false)
  })

  it('lists earliest and latest offsets and moves the log start with deleteRecords', async () => {
    await admin.createTopics([{ name: 'trips', partitions: 2 }])
    const producer = kafka.track(kafka.clients.producer())
    await producer.send(Array.from({ length: 5 }, (_, i) => ({ topic: 'trips', partition: 1, key: buf(`k${i}`), value: buf(`v${i}`) })))

    expect(await admin.listOffsets('trips', [0, 1], 'earliest')).toEqual(new Map([[0, 0n], [1, 0n]]))
    expect(await admin.listOffsets('trips', [0, 1], 'latest')).toEqual(new Map([[0, 0n], [1, 5n]]))

    await admin.deleteRecords('trips', 1, 3n)
    expect(await admin.listOffsets('trips', [1], 'earliest')).toEqual(new Map([[1, 3n]]))
    expect(await admin.listOffsets('trips', [1], 'latest')).toEqual(new Map([[1, 5n]]))
  })
})

describe('createKafkaClients', () => {
  it('rejects a config it cannot use, naming the field', () => {
    expect(() => createKafkaClients({ bootstrapServers: [], clientId: 'c', applicationId: 'a' })).toThrow(ConfigError)
    expect(() => createKafkaClients({ bootstrapServers: ['nohost'], clientId: 'c', applicationId: 'a' })).toThrow(/host:port/)
    expect(() => createKafkaClients({ bootstrapServers: ['h:1'], clientId: 'c', applicationId: 'a b' })).toThrow(/applicationId/)
    expect(() => createKafkaClients({ bootstrapServers: ['h:1'], clientId: 'c', applicationId: 'a', retries: -1 })).toThrow(/retries/)
  })
})
