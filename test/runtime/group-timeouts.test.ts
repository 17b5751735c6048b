import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { resolveStreamsConfig } from '../../src/runtime/config.js'

const base = { applicationId: 'fleet', bootstrapServers: ['127.0.0.1:9092'] }

describe('group and failure timeouts in the KafkaStreams config', () => {
  it("defaults to Kafka Streams' values", () => {
    const config = resolveStreamsConfig(base)
    expect(config.sessionTimeoutMs).toBe(45_000)
    expect(config.heartbeatIntervalMs).toBe(3_000)
    expect(config.rebalanceTimeoutMs).toBe(60_000)
    expect(config.taskTimeoutMs).toBe(300_000)
  })

  it('keeps given values and derives the heartbeat from a short session', () => {
    const config = resolveStreamsConfig({ ...base, sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 10_000, taskTimeoutMs: 0 })
    expect(config).toMatchObject({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 2_000, rebalanceTimeoutMs: 10_000, taskTimeoutMs: 0 })
  })

  it.each([
    [{ sessionTimeoutMs: 0 }, /sessionTimeoutMs must be a whole number of milliseconds >= 1, got 0/],
    [{ sessionTimeoutMs: 1.5 }, /sessionTimeoutMs/],
    [{ heartbeatIntervalMs: -1 }, /heartbeatIntervalMs must be/],
    [{ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 6_000 }, /heartbeatIntervalMs \(6000\) must be lower than sessionTimeoutMs \(6000\)/],
    [{ rebalanceTimeoutMs: Number.NaN }, /rebalanceTimeoutMs/],
    [{ taskTimeoutMs: -5 }, /taskTimeoutMs must be a whole number of milliseconds >= 0/],
  ])('rejects %o with a ConfigError', (override, message) => {
    expect(() => resolveStreamsConfig({ ...base, ...override })).toThrow(ConfigError)
    expect(() => resolveStreamsConfig({ ...base, ...override })).toThrow(message)
  })
})
