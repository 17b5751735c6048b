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
