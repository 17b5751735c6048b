import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka, isBrokerError } from '../../src/broker/index.js'
import { ApiKey } from '../../src/broker/protocol/api-keys.js'
import { batchOf } from './fixtures/batches.js'
import { RawClient } from './fixtures/raw-client.js'

describe('EmbeddedKafka lifecycle', () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it('removes its temporary data directory on close, and close is idempotent', async () => {
    const kafka = await EmbeddedKafka.start()
    expect(existsSync(kafka.dataDir)).toBe(true)
    expect(kafka.bootstrapServers).toBe(`127.0.0.1:${kafka.port}`)
    await kafka.close()
    await kafka.close()
    expect(existsSync(kafka.dataDir)).toBe(false)
  })

  it('fails to start on a taken port with a BrokerError and leaves the data directory unlocked', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-embedded-'))
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const holder = await EmbeddedKafka.start()
    cleanup.push(() => holder.close())
    const error = await EmbeddedKafka.start({ dataDir, port: holder.port }).catch((e: unknown) => e)
    expect(isBrokerError(error)).toBe(true)
    expect(String(error)).toMatch(/Pick another port/)
    const retry = await EmbeddedKafka.start({ dataDir })
    await retry.close()
  })

  it('applies retention on its maintenance timer', async () => {
    const kafka = await EmbeddedKafka.start({ logMaintenanceIntervalMs: 20 })
    cleanup.push(() => kafka.close())
    const client = await RawClient.connect(kafka.bootstrapServers)
    cleanup.push(() => client.close())
    const configs = [{ name: 'retention.ms', value: '1000' }, { name: 'segment.bytes', value: '1024' }]
    await client.request(ApiKey.CreateTopics, 7, { topics: [{ name: 'short-lived', numPartitions: 1, replicationFactor: 1, assignments: [], configs }], timeoutMs: 1000 })
    const old = BigInt(Date.now() - 60_000)
    for (let i = 0; i < 6; i++) {
      const records = batchOf([{ key: `k${i}`, value: 'x'.repeat(400), timestamp: old }])
      await client.request(ApiKey.Produce, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'short-lived', partitionData: [{ index: 0, records }] }] })
    }
    const earliest = async (): Promise<bigint> => {
      const res = await client.request(ApiKey.ListOffsets, 5, { replicaId: -1, topics: [{ name: 'short-lived', partitions: [{ partitionIndex: 0, timestamp: -2n }] }] })
      return ((res.topics as Array<{ partitions: Array<{ offset: bigint }> }>)[0].partitions[0]).offset
    }
    const deadline = Date.now() + 10_000
    while ((await earliest()) < 6n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await earliest()).toBe(6n)
  })

  it('refuses a data directory another broker holds, and keeps topics and records across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-embedded-'))
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const first = await EmbeddedKafka.start({ dataDir })
    const error = await EmbeddedKafka.start({ dataDir }).catch((e: unknown) => e)
    expect(isBrokerError(error)).toBe(true)
    expect(String(error)).toMatch(/already used by a broker/)

    const client = await RawClient.connect(first.bootstrapServers)
    await client.request(ApiKey.CreateTopics, 7, { topics: [{ name: 'kept', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '-1' }] }], timeoutMs: 1000 })
    await client.request(ApiKey.Produce, 7, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'kept', partitionData: [{ index: 1, records: batchOf([{ key: 'a', value: '1' }]) }] }] })
    client.close()
    await first.close()
    expect(existsSync(dataDir)).toBe(true)

    const second = await EmbeddedKafka.start({ dataDir })
    cleanup.push(() => second.close())
    const again = await RawClient.connect(second.bootstrapServers)
    cleanup.push(() => again.close())
    const metadata = await again.request(ApiKey.Metadata, 9, { topics: [{ name: 'kept' }], allowAutoTopicCreation: false })
    expect(((metadata.topics as Array<Record<string, unknown>>)[0].partitions as unknown[]).length).toBe(2)
    const offsets = await again.request(ApiKey.ListOffsets, 5, { replicaId: -1, topics: [{ name: 'kept', partitions: [{ partitionIndex: 1, timestamp: -1n }] }] })
    expect(offsets.topics).toMatchObject([{ partitions: [{ offset: 1n }] }])
    const configs = await again.request(ApiKey.DescribeConfigs, 2, { resources: [{ resourceType: 2, resourceName: 'kept', configurationKeys: ['retention.ms'] }] })
    expect(configs.results).toMatchObject([{ configs: [{ name: 'retention.ms', value: '-1' }] }])
  })
})
