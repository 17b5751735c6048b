import { describe, expect, it } from 'vitest'
import { resolveStreamsConfig } from '../../src/runtime/config.js'

const base = { applicationId: 'fleet-map', bootstrapServers: ['127.0.0.1:9092'] }

describe('commitIntervalMs defaults', () => {
  it("follows Kafka Streams: 30000 under at_least_once, 100 under exactly_once_v2", () => {
    expect(resolveStreamsConfig(base).commitIntervalMs).toBe(30_000)
    expect(resolveStreamsConfig({ ...base, processingGuarantee: 'at_least_once' }).commitIntervalMs).toBe(30_000)
    expect(resolveStreamsConfig({ ...base, processingGuarantee: 'exactly_once_v2' }).commitIntervalMs).toBe(100)
  })

  it('keeps an explicit interval under either guarantee', () => {
    expect(resolveStreamsConfig({ ...base, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 5_000 }).commitIntervalMs).toBe(5_000)
    expect(resolveStreamsConfig({ ...base, commitIntervalMs: 0 }).commitIntervalMs).toBe(0)
  })
})

describe('group membership and transaction settings', () => {
  it("default to Kafka Streams': no static membership, a 10 s transaction timeout", () => {
    const config = resolveStreamsConfig(base)
    expect(config.groupInstanceId).toBeUndefined()
    expect(config.transactionTimeoutMs).toBe(10_000)
    expect(config.deliveryTimeoutMs).toBe(120_000)
  })

  it('take a groupInstanceId of topic-name characters only, and a positive transaction timeout', () => {
    expect(resolveStreamsConfig({ ...base, groupInstanceId: 'fleet-map-1', transactionTimeoutMs: 30_000 })).toMatchObject({
      groupInstanceId: 'fleet-map-1',
      transactionTimeoutMs: 30_000,
    })
    expect(() => resolveStreamsConfig({ ...base, groupInstanceId: '' })).toThrow(/groupInstanceId must be 1 to 249 letters/)
    expect(() => resolveStreamsConfig({ ...base, groupInstanceId: 'a b' })).toThrow(/groupInstanceId/)
    expect(() => resolveStreamsConfig({ ...base, groupInstanceId: 'x'.repeat(250) })).toThrow(/groupInstanceId/)
    expect(() => resolveStreamsConfig({ ...base, transactionTimeoutMs: 0 })).toThrow(/transactionTimeoutMs must be a number >= 1/)
  })
})

describe('numStandbyReplicas', () => {
  it('defaults to 0 (no standbys), as in Kafka Streams, and takes whole numbers only', () => {
    expect(resolveStreamsConfig(base).numStandbyReplicas).toBe(0)
    expect(resolveStreamsConfig({ ...base, numStandbyReplicas: 2 }).numStandbyReplicas).toBe(2)
    expect(() => resolveStreamsConfig({ ...base, numStandbyReplicas: -1 })).toThrow(/numStandbyReplicas must be a whole number >= 0, got -1/)
    expect(() => resolveStreamsConfig({ ...base, numStandbyReplicas: 1.5 })).toThrow(/numStandbyReplicas/)
  })
})
