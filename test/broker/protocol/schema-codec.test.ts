import { describe, expect, it } from 'vitest'
import * as apiVersionsV3 from '../../../node_modules/@platformatic/kafka/dist/apis/metadata/api-versions-v3.js'
import * as metadataV9 from '../../../node_modules/@platformatic/kafka/dist/apis/metadata/metadata-v9.js'
import * as findCoordinatorV4 from '../../../node_modules/@platformatic/kafka/dist/apis/metadata/find-coordinator-v4.js'
import * as produceV7 from '../../../node_modules/@platformatic/kafka/dist/apis/producer/produce-v7.js'
import * as initProducerIdV4 from '../../../node_modules/@platformatic/kafka/dist/apis/producer/init-producer-id-v4.js'
import * as fetchV12 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/fetch-v12.js'
import * as listOffsetsV5 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/list-offsets-v5.js'
import * as joinGroupV6 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/join-group-v6.js'
import * as offsetCommitV8 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/offset-commit-v8.js'
import * as offsetFetchV8 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/offset-fetch-v8.js'
import * as createTopicsV7 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/create-topics-v7.js'
import * as deleteTopicsV6 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/delete-topics-v6.js'
import * as describeConfigsV4 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/describe-configs-v4.js'
import * as createPartitionsV3 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/create-partitions-v3.js'
import * as deleteRecordsV2 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/delete-records-v2.js'
import * as deleteGroupsV2 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/delete-groups-v2.js'
import { readBatchHeader } from '../../../src/broker/log/record-batch.js'
import { Reader, Writer } from '../../../src/broker/protocol/primitives.js'
import { codecFor } from '../../../src/broker/protocol/schema-codec.js'
import { decodeRequest, encodeResponse } from './oracle.js'

describe('schema codec against @platformatic/kafka', () => {
  it('ApiVersions v3', () => {
    const req = decodeRequest('ApiVersions', 3, apiVersionsV3.createRequest('plt', '1.0'))
    expect(req).toEqual({ clientSoftwareName: 'plt', clientSoftwareVersion: '1.0' })
    const res = apiVersionsV3.parseResponse(1, 18, 3, encodeResponse('ApiVersions', 3, { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 7 }], throttleTimeMs: 5 }))
    expect(res.apiKeys).toMatchObject([{ apiKey: 0, minVersion: 3, maxVersion: 7 }])
    expect(res.throttleTimeMs).toBe(5)
  })

  it('Metadata v9 with null topics, brokers and partitions', () => {
    expect(decodeRequest('Metadata', 9, metadataV9.createRequest(null, false, false))).toEqual({
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })
    expect(decodeRequest('Metadata', 9, metadataV9.createRequest(['a', 'b'])).topics).toEqual([{ name: 'a' }, { name: 'b' }])
    const res = metadataV9.parseResponse(1, 3, 9, encodeResponse('Metadata', 9, {
      brokers: [{ nodeId: 0, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'c1',
      controllerId: 0,
      topics: [{ errorCode: 0, name: 't', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 1, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }] }],
    }))
    expect(res.brokers[0]).toMatchObject({ nodeId: 0, host: 'localhost', port: 9092, rack: null })
    expect(res.clusterId).toBe('c1')
    expect(res.topics[0].name).toBe('t')
    expect(res.topics[0].partitions[0]).toMatchObject({ partitionIndex: 1, leaderId: 0, replicaNodes: [0], isrNodes: [0] })
  })

  it('Produce v7 carries record batches whose CRC the broker verifies', () => {
    const built = produceV7.createRequest(-1, 1000, [{ topic: 't', partition: 2, key: Buffer.from('k'), value: Buffer.from('v') }])
    const req = decodeRequest('Produce', 7, built)
    expect(req.acks).toBe(-1)
    const topicData = req.topicData as Array<{ name: string; partitionData: Array<{ index: number; records: Buffer }> }>
    expect(topicData[0].name).toBe('t')
    expect(topicData[0].partitionData[0].index).toBe(2)
    const header = readBatchHeader(topicData[0].partitionData[0].records, 0, true)
    expect(typeof header).toBe('object')
    const res = produceV7.parseResponse(1, 0, 7, encodeResponse('Produce', 7, {
      responses: [{ name: 't', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 42n, logAppendTimeMs: -1n, logStartOffset: 0n }] }],
    }))
    expect(res.responses[0].partitionResponses[0]).toMatchObject({ index: 2, baseOffset: 42n, logStartOffset: 0n })
  })

  it('Fetch v12 request and a response with records the client can parse', () => {
    const built = fetchV12.createRequest(500, 1, 1024, 0, 0, -1, [{ topicId: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 7n, lastFetchedEpoch: -1, partitionMaxBytes: 100 }] }] as never, [], '')
    const req = decodeRequest('Fetch', 12, built)
    expect(req).toMatchObject({ maxWaitMs: 500, minBytes: 1, maxBytes: 1024, sessionEpoch: -1 })
    expect(req.topics).toEqual([{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 7n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 100 }] }])
    const produced = decodeRequest('Produce', 7, produceV7.createRequest(1, 1000, [{ topic: 't', partition: 0, key: Buffer.from('k'), value: Buffer.from('hello') }]))
    const records = (produced.topicData as Array<{ partitionData: Array<{ records: Buffer }> }>)[0].partitionData[0].records
    const res = fetchV12.parseResponse(1, 1, 12, encodeResponse('Fetch', 12, {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n, abortedTransactions: null, records }] }],
    }))
    const partition = res.responses[0].partitions[0]
    expect(partition.highWatermark).toBe(1n)
    expect(partition.records?.[0].records[0].value?.toString()).toBe('hello')
  })

  it('ListOffsets v5, FindCoordinator v4 and InitProducerId v4', () => {
    const lo = decodeRequest('ListOffsets', 5, listOffsetsV5.createRequest(-1, 0, [{ name: 't', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -2n }] }]))
    expect(lo.topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -2n }] }])
    const lor = listOffsetsV5.parseResponse(1, 2, 5, encodeResponse('ListOffsets', 5, { topics: [{ name: 't', partitions: [{ partitionIndex: 1, errorCode: 0, timestamp: -1n, offset: 9n, leaderEpoch: 0 }] }] }))
    expect(lor.topics[0].partitions[0].offset).toBe(9n)

    expect(decodeRequest('FindCoordinator', 4, findCoordinatorV4.createRequest(0, ['g1', 'g2']))).toEqual({ keyType: 0, coordinatorKeys: ['g1', 'g2'] })
    const fc = findCoordinatorV4.parseResponse(1, 10, 4, encodeResponse('FindCoordinator', 4, { coordinators: [{ key: 'g1', nodeId: 0, host: 'h', port: 1, errorCode: 0, errorMessage: null }] }))
    expect(fc.coordinators[0]).toMatchObject({ key: 'g1', nodeId: 0, host: 'h', port: 1 })

    expect(decodeRequest('InitProducerId', 4, initProducerIdV4.createRequest(null, 1000, -1n, -1))).toEqual({ transactionalId: null, transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 })
    const ip = initProducerIdV4.parseResponse(1, 22, 4, encodeResponse('InitProducerId', 4, { producerId: 77n, producerEpoch: 0 }))
    expect(ip.producerId).toBe(77n)
  })

  it('admin APIs: CreateTopics v7, DeleteTopics v6, DescribeConfigs v4, CreatePartitions v3, DeleteRecords v2', () => {
    const ct = decodeRequest('CreateTopics', 7, createTopicsV7.createRequest([{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }], 1000, false))
    expect(ct.topics).toEqual([{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }])
    const ctr = createTopicsV7.parseResponse(1, 19, 7, encodeResponse('CreateTopics', 7, { topics: [{ name: 't', topicId: '0123456789abcdef0123456789abcdef', errorCode: 0, numPartitions: 3, replicationFactor: 1, configs: [] }] }))
    expect(ctr.topics[0]).toMatchObject({ name: 't', numPartitions: 3, topicId: '01234567-89ab-cdef-0123-456789abcdef' })

    const dt = decodeRequest('DeleteTopics', 6, deleteTopicsV6.createRequest([{ name: 't' }] as never, 1000))
    expect((dt.topics as Array<{ name: string }>)[0].name).toBe('t')
    const dtr = deleteTopicsV6.parseResponse(1, 20, 6, encodeResponse('DeleteTopics', 6, { responses: [{ name: 't', errorCode: 0, errorMessage: null }] }))
    expect(dtr.responses[0].name).toBe('t')

    const dc = decodeRequest('DescribeConfigs', 4, describeConfigsV4.createRequest([{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }], true, false))
    expect(dc).toEqual({ resources: [{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }], includeSynonyms: true, includeDocumentation: false })
    const dcr = describeConfigsV4.parseResponse(1, 32, 4, encodeResponse('DescribeConfigs', 4, {
      results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '5', readOnly: false, configSource: 1, isSensitive: false, synonyms: [] }] }],
    }))
    expect(dcr.results[0].configs[0]).toMatchObject({ name: 'retention.ms', value: '5', configSource: 1 })

    const cp = decodeRequest('CreatePartitions', 3, createPartitionsV3.createRequest([{ name: 't', count: 5, assignments: [] }], 1000, false))
    expect((cp.topics as Array<{ count: number }>)[0].count).toBe(5)
    const cpr = createPartitionsV3.parseResponse(1, 37, 3, encodeResponse('CreatePartitions', 3, { results: [{ name: 't', errorCode: 0, errorMessage: null }] }))
    expect(cpr.results[0].name).toBe('t')

    const dr = decodeRequest('DeleteRecords', 2, deleteRecordsV2.createRequest([{ name: 't', partitions: [{ partitionIndex: 0, offset: 3n }] }], 1000))
    expect(dr.topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 0, offset: 3n }] }])
    const drr = deleteRecordsV2.parseResponse(1, 21, 2, encodeResponse('DeleteRecords', 2, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 3n, errorCode: 0 }] }] }))
    expect(drr.topics[0].partitions[0].lowWatermark).toBe(3n)
  })

  it('group APIs decode into the shared naming convention', () => {
    const jg = decodeRequest('JoinGroup', 6, joinGroupV6.createRequest('g', 10000, 30000, '', null, 'consumer', [{ name: 'roundrobin', metadata: Buffer.from([1, 2]) }]))
    expect(jg).toEqual({ groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 30000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'roundrobin', metadata: Buffer.from([1, 2]) }] })
    const oc = decodeRequest('OffsetCommit', 8, offsetCommitV8.createRequest('g', 3, 'm', null, [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }] }]))
    expect(oc).toMatchObject({ groupId: 'g', generationIdOrMemberEpoch: 3, memberId: 'm', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n }] }] })
    const of = decodeRequest('OffsetFetch', 8, offsetFetchV8.createRequest([{ groupId: 'g', topics: null }] as never, false))
    expect(of).toEqual({ groups: [{ groupId: 'g', topics: null }], requireStable: false })
    expect(decodeRequest('DeleteGroups', 2, deleteGroupsV2.createRequest(['a', 'b']))).toEqual({ groupsNames: ['a', 'b'] })
  })
})

describe('schema codec details', () => {
  it('skips unknown tagged fields in a flexible request', () => {
    const w = new Writer()
    w.string('name', true).string('1.0', true)
    w.uvarint(2) // two tagged fields the schema does not define
    w.uvarint(7).uvarint(3).raw(Buffer.from([1, 2, 3]))
    w.uvarint(9).uvarint(0)
    const reader = new Reader(w.toBuffer())
    expect(codecFor('ApiVersionsRequest').decode(reader, 3)).toEqual({ clientSoftwareName: 'name', clientSoftwareVersion: '1.0' })
    expect(reader.remaining).toBe(0)
  })

  it('reads and writes known tagged fields, omitting defaults', () => {
    const w = new Writer()
    codecFor('CreateTopicsResponse').encode(w, 5, { topics: [{ name: 't', errorCode: 0, topicConfigErrorCode: 40, numPartitions: 1, replicationFactor: 1, configs: [] }] })
    const decoded = codecFor('CreateTopicsResponse').decode(new Reader(w.toBuffer()), 5)
    expect((decoded.topics as Array<{ topicConfigErrorCode: number }>)[0].topicConfigErrorCode).toBe(40)
    const plain = new Writer()
    codecFor('CreateTopicsResponse').encode(plain, 5, { topics: [{ name: 't', errorCode: 0, numPartitions: 1, replicationFactor: 1, configs: [] }] })
    expect(plain.length).toBe(w.length - 4) // tag, size and int16 value are not written for the default
  })

  it('encodes missing fields as schema defaults', () => {
    const w = new Writer()
    codecFor('FetchResponse').encode(w, 12, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0 }] }] })
    const decoded = codecFor('FetchResponse').decode(new Reader(w.toBuffer()), 12)
    const partition = (decoded.responses as Array<{ partitions: Array<Record<string, unknown>> }>)[0].partitions[0]
    expect(partition).toMatchObject({ errorCode: 0, highWatermark: 0n, logStartOffset: -1n, preferredReadReplica: -1, abortedTransactions: null, records: null })
  })

  it('only decodes the fields of the requested version', () => {
    const w = new Writer()
    codecFor('JoinGroupRequest').encode(w, 0, { groupId: 'g', sessionTimeoutMs: 1, memberId: '', protocolType: 'consumer', protocols: [] })
    const decoded = codecFor('JoinGroupRequest').decode(new Reader(w.toBuffer()), 0)
    expect(decoded.rebalanceTimeoutMs).toBeUndefined()
    expect(decoded.groupInstanceId).toBeUndefined()
    expect(decoded.sessionTimeoutMs).toBe(1)
  })

  it('rejects truncated input with a ProtocolError', () => {
    const w = new Writer()
    codecFor('MetadataRequest').encode(w, 9, { topics: [{ name: 'abc' }], allowAutoTopicCreation: true })
    const bytes = w.toBuffer()
    expect(() => codecFor('MetadataRequest').decode(new Reader(bytes.subarray(0, 4)), 9)).toThrow(/Truncated|exceeds/)
  })
})
