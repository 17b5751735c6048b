import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { resolveStreamsConfig, type KafkaStreamsConfig } from '../../src/runtime/index.js'

const base = { applicationId: 'fleet-map', bootstrapServers: ['127.0.0.1:9092'] } as const

describe('KafkaStreams config', () => {
  it('fills in the defaults', () => {
    const config = resolveStreamsConfig(base)
    expect(config).toMatchObject({
      stateDir: '.tributary/state',
      processingGuarantee: 'at_least_once',
      commitIntervalMs: 30_000,
      deserializationExceptionHandler: 'fail',
      maxTaskIdleMs: 0,
      storeSupplier: 'rocksdb',
      clientId: 'fleet-map-client',
    })
  })

  it.each<[string, Partial<KafkaStreamsConfig>, RegExp]>([
    ['a missing application id', { applicationId: '' }, /applicationId/],
    ['an application id with spaces', { applicationId: 'fleet map' }, /applicationId/],
    ['no bootstrap servers', { bootstrapServers: [] }, /bootstrapServers/],
    ['a server without a port', { bootstrapServers: ['localhost'] }, /host:port/],
    ['an unknown guarantee', { processingGuarantee: 'exactly_once' as 'exactly_once_v2' }, /'at_least_once' or 'exactly_once_v2'/],
    ['a negative commit interval', { commitIntervalMs: -1 }, /commitIntervalMs/],
    ['an unknown handler', { deserializationExceptionHandler: 'skip' as 'fail' }, /deserializationExceptionHandler/],
    ['a dead-letter handler without a topic', { deserializationExceptionHandler: { deadLetterTopic: '' } }, /deadLetterTopic/],
    ['an unknown store supplier', { storeSupplier: 'redis' as 'memory' }, /storeSupplier/],
    ['a negative idle time', { maxTaskIdleMs: -5 }, /maxTaskIdleMs/],
  ])('rejects %s with a ConfigError', (_what, override, message) => {
    const attempt = () => resolveStreamsConfig({ ...base, ...override } as KafkaStreamsConfig)
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(message)
  })

  it('accepts exactly_once_v2', () => {
    expect(resolveStreamsConfig({ ...base, processingGuarantee: 'exactly_once_v2' }).processingGuarantee).toBe('exactly_once_v2')
  })

  it('keeps a dead-letter handler', () => {
    expect(resolveStreamsConfig({ ...base, deserializationExceptionHandler: { deadLetterTopic: 'dlq' } }).deserializationExceptionHandler).toEqual({ deadLetterTopic: 'dlq' })
  })
})
