import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../../src/broker/index.js'
import { ApiKey } from '../../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { RawClient } from '../fixtures/raw-client.js'

type Rec = Record<string, unknown>

const ZERO = '00000000-0000-0000-0000-000000000000'
const NOT_REQUESTED = -2147483648
/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
const TOPIC_OPERATIONS = 0b110111111000

describe('Metadata v10-12', () => {
  let kafka: EmbeddedKafka
  let c: RawClient

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 2 })
    c = await RawClient.connect(kafka.bootstrapServers)
  })

  afterEach(async () => {
    c.close()
    await kafka.close()
  })

  const metadata = (version: number, topics: Array<{ name: string | null; topicId?: string }> | null, extra: Rec = {}): Promise<Rec> =>
    c.request(ApiKey.Metadata, version, { topics: topics?.map((t) => ({ topicId: ZERO, ...t })) ?? null, allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false, ...extra })

  it('reports topic ids from v10 and finds topics by id in v12, never auto-creating one', async () => {
    const created = (await metadata(10, [{ name: 'zones' }])).topics as Rec[]
    expect(created[0]).toMatchObject({ name: 'zones', errorCode: 0 })
    const id = created[0].topicId as string
    expect(id).not.toBe(ZERO)
    expect(((await metadata(12, null)).topics as Rec[]).map((t) => [t.name, t.topicId])).toEqual([['zones', id]])

    const byId = (await metadata(12, [{ name: null, topicId: id }, { name: null, topicId: 'f0000000-0000-0000-0000-00000000000f' }])).topics as Rec[]
    expect(byId[0]).toMatchObject({ name: 'zones', topicId: id, errorCode: 0 })
    expect((byId[0].partitions as Rec[]).map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch])).toEqual([[0, 0, 0], [1, 0, 0]])
    expect(byId[1]).toMatchObject({ name: null, topicId: 'f0000000-0000-0000-0000-00000000000f', errorCode: ErrorCode.UNKNOWN_TOPIC_ID })
    expect(((await metadata(12, null)).topics as Rec[]).length).toBe(1)
  })

  it('refuses topic ids and null names before v12, as Kafka does', async () => {
    const v11 = (await metadata(11, [{ name: null, topicId: 'f0000000-0000-0000-0000-00000000000f' }])).topics as Rec[]
    expect(v11[0].errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })

  it('reports the operations allowed on topics and the cluster when asked (v8+; there is no authorizer)', async () => {
    const plain = await metadata(10, [{ name: 'ops' }])
    expect((plain.topics as Rec[])[0].topicAuthorizedOperations).toBe(NOT_REQUESTED)
    expect(plain.clusterAuthorizedOperations).toBe(NOT_REQUESTED)
    const asked = await metadata(10, [{ name: 'ops' }], { includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true })
    expect((asked.topics as Rec[])[0].topicAuthorizedOperations).toBe(TOPIC_OPERATIONS)
    // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE.
    expect(asked.clusterAuthorizedOperations).toBe(0b1111110100000)
    const v12 = await metadata(12, [{ name: 'ops' }], { includeTopicAuthorizedOperations: true })
    expect((v12.topics as Rec[])[0].topicAuthorizedOperations).toBe(TOPIC_OPERATIONS)
  })
})
