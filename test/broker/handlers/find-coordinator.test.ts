import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../../src/broker/index.js'
import { ApiKey } from '../../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { RawClient } from '../fixtures/raw-client.js'

type Rec = Record<string, unknown>

const GROUP = 0
const TRANSACTION = 1
const SHARE = 2

describe('FindCoordinator v5-6', () => {
  let kafka: EmbeddedKafka
  let c: RawClient

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start()
    c = await RawClient.connect(kafka.bootstrapServers)
  })

  afterEach(async () => {
    c.close()
    await kafka.close()
  })

  it('names this broker for groups and transactional ids, and refuses share-group keys as Kafka without share groups', async () => {
    for (const version of [5, 6]) {
      for (const keyType of [GROUP, TRANSACTION]) {
        const res = await c.request(ApiKey.FindCoordinator, version, { keyType, coordinatorKeys: ['dispatch', 'pricing'] })
        expect((res.coordinators as Rec[]).map((x) => [x.key, x.errorCode, x.nodeId, x.port])).toEqual([['dispatch', 0, 0, kafka.port], ['pricing', 0, 0, kafka.port]])
      }
    }
    const share = await c.request(ApiKey.FindCoordinator, 6, { keyType: SHARE, coordinatorKeys: ['dispatch:topic-id:0'] })
    expect((share.coordinators as Rec[])[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1 })
  })
})
