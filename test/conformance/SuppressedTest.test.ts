// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/SuppressedTest.java
//
// Java compares the configs with equals() against its internal classes: EagerBufferConfigImpl(maxRecords,
// maxBytes, logConfig), StrictBufferConfigImpl(maxRecords, maxBytes, SHUT_DOWN, logConfig),
// SuppressedInternal(name, timeLimit, bufferConfig, ...) and FinalResultsSuppressionBuilder(name,
// bufferConfig). Here the same fields are compared: a BufferConfig's maxRecords, maxBytes,
// bufferFullStrategy ('emit' for eager, 'shut-down' for strict), loggingEnabled and logConfig, and a
// Suppressed's spec and name. Java's Long.MAX_VALUE (no bound) is Infinity.
import { describe, expect, it } from 'vitest'
import { BufferConfig, Suppressed } from '../../src/dsl/index.js'
import type { BufferFullStrategy } from '../../src/dsl/index.js'

// Java's static imports of Suppressed.untilTimeLimit / untilWindowCloses and Suppressed.BufferConfig.*
const { untilTimeLimit, untilWindowCloses } = Suppressed
const { maxBytes, maxRecords, unbounded } = BufferConfig

const MAX_VALUE = Infinity
const emptyMap = {}

const bufferConfigImpl = (maxRecords: number, maxBytes: number, bufferFullStrategy: BufferFullStrategy, logConfig: Record<string, string>) => ({
  maxRecords,
  maxBytes,
  bufferFullStrategy,
  loggingEnabled: true,
  logConfig,
})
/** new EagerBufferConfigImpl(maxRecords, maxBytes, logConfig) */
const eagerBufferConfigImpl = (maxRecords: number, maxBytes: number, logConfig: Record<string, string>) => bufferConfigImpl(maxRecords, maxBytes, 'emit', logConfig)
/** new StrictBufferConfigImpl(maxRecords, maxBytes, SHUT_DOWN, logConfig) */
const strictBufferConfigImpl = (maxRecords: number, maxBytes: number, logConfig: Record<string, string>) =>
  bufferConfigImpl(maxRecords, maxBytes, 'shut-down', logConfig)
/** new SuppressedInternal<>(name, ofMillis(timeLimitMs), bufferConfig, null, false) */
const suppressedInternal = (name: string | undefined, timeLimitMs: number, bufferConfig: object) => ({
  spec: { kind: 'until-time-limit', timeLimitMs, bufferConfig },
  name,
})
/** new FinalResultsSuppressionBuilder<>(name, bufferConfig) */
const finalResultsSuppressionBuilder = (name: string | undefined, bufferConfig: object) => ({ spec: { kind: 'until-window-closes', bufferConfig }, name })

const singletonMap = (key: string, value: string): Record<string, string> => ({ [key]: value })

describe('SuppressedTest', () => {
  it('bufferBuilderShouldBeConsistent', () => {
    // noBound should remove bounds
    expect(maxBytes(2).withMaxRecords(4).withNoBound()).toEqual(unbounded())

    // keys alone should be set
    expect(maxRecords(2)).toEqual(eagerBufferConfigImpl(2, MAX_VALUE, emptyMap))

    // size alone should be set
    expect(maxBytes(2)).toEqual(eagerBufferConfigImpl(MAX_VALUE, 2, emptyMap))

    // config should be set even after max records
    expect(maxRecords(2).withMaxBytes(4).withLoggingEnabled(singletonMap('myConfigKey', 'myConfigValue'))).toEqual(
      eagerBufferConfigImpl(2, 4, singletonMap('myConfigKey', 'myConfigValue')),
    )
  })

  it('intermediateEventsShouldAcceptAnyBufferAndSetBounds', () => {
    // name should be set
    expect(untilTimeLimit(2, unbounded()).withName('myname')).toEqual(suppressedInternal('myname', 2, unbounded()))

    // time alone should be set
    expect(untilTimeLimit(2, unbounded())).toEqual(suppressedInternal(undefined, 2, unbounded()))

    // time and unbounded buffer should be set
    expect(untilTimeLimit(2, unbounded())).toEqual(suppressedInternal(undefined, 2, unbounded()))

    // time and keys buffer should be set
    expect(untilTimeLimit(2, maxRecords(2))).toEqual(suppressedInternal(undefined, 2, maxRecords(2)))

    // time and size buffer should be set
    expect(untilTimeLimit(2, maxBytes(2))).toEqual(suppressedInternal(undefined, 2, maxBytes(2)))

    // all constraints should be set
    expect(untilTimeLimit(2, maxRecords(3).withMaxBytes(2))).toEqual(suppressedInternal(undefined, 2, eagerBufferConfigImpl(3, 2, emptyMap)))

    // config is not lost early emit is set
    expect(untilTimeLimit(2, maxRecords(2).withLoggingEnabled(singletonMap('myConfigKey', 'myConfigValue')).emitEarlyWhenFull())).toEqual(
      suppressedInternal(undefined, 2, eagerBufferConfigImpl(2, MAX_VALUE, singletonMap('myConfigKey', 'myConfigValue'))),
    )
  })

  it('finalEventsShouldAcceptStrictBuffersAndSetBounds', () => {
    expect(untilWindowCloses(unbounded())).toEqual(finalResultsSuppressionBuilder(undefined, unbounded()))

    expect(untilWindowCloses(maxRecords(2).shutDownWhenFull())).toEqual(finalResultsSuppressionBuilder(undefined, strictBufferConfigImpl(2, MAX_VALUE, emptyMap)))

    expect(untilWindowCloses(maxBytes(2).shutDownWhenFull())).toEqual(finalResultsSuppressionBuilder(undefined, strictBufferConfigImpl(MAX_VALUE, 2, emptyMap)))

    expect(untilWindowCloses(unbounded()).withName('name')).toEqual(finalResultsSuppressionBuilder('name', unbounded()))

    expect(untilWindowCloses(maxRecords(2).shutDownWhenFull()).withName('name')).toEqual(
      finalResultsSuppressionBuilder('name', strictBufferConfigImpl(2, MAX_VALUE, emptyMap)),
    )

    expect(untilWindowCloses(maxBytes(2).shutDownWhenFull()).withName('name')).toEqual(
      finalResultsSuppressionBuilder('name', strictBufferConfigImpl(MAX_VALUE, 2, emptyMap)),
    )

    // config is not lost when shutdown when full is set
    expect(untilWindowCloses(maxBytes(2).withLoggingEnabled(singletonMap('myConfigKey', 'myConfigValue')).shutDownWhenFull())).toEqual(
      finalResultsSuppressionBuilder(undefined, strictBufferConfigImpl(MAX_VALUE, 2, singletonMap('myConfigKey', 'myConfigValue'))),
    )
  })

  it('supportLongChainOfMethods', () => {
    const bufferConfig = unbounded().emitEarlyWhenFull().withMaxRecords(3).withMaxBytes(4).withMaxRecords(5).withMaxBytes(6)

    // long chain of eager buffer config sets attributes properly
    expect(bufferConfig).toEqual(eagerBufferConfigImpl(5, 6, emptyMap))
    // long chain of strict buffer config sets attributes properly
    expect(bufferConfig.shutDownWhenFull()).toEqual(strictBufferConfigImpl(5, 6, emptyMap))

    const bufferConfigWithLogging = unbounded()
      .withLoggingEnabled(singletonMap('myConfigKey', 'myConfigValue'))
      .emitEarlyWhenFull()
      .withMaxRecords(3)
      .withMaxBytes(4)
      .withMaxRecords(5)
      .withMaxBytes(6)

    // long chain of eager buffer config sets attributes properly with logging enabled
    expect(bufferConfigWithLogging).toEqual(eagerBufferConfigImpl(5, 6, singletonMap('myConfigKey', 'myConfigValue')))
    // long chain of strict buffer config sets attributes properly with logging enabled
    expect(bufferConfigWithLogging.shutDownWhenFull()).toEqual(strictBufferConfigImpl(5, 6, singletonMap('myConfigKey', 'myConfigValue')))

    const bufferConfigWithLoggingCalledAtTheEnd = unbounded()
      .emitEarlyWhenFull()
      .withMaxRecords(3)
      .withMaxBytes(4)
      .withMaxRecords(5)
      .withMaxBytes(6)
      .withLoggingEnabled(singletonMap('myConfigKey', 'myConfigValue'))

    // long chain of eager buffer config sets logging even after other setters
    expect(bufferConfigWithLoggingCalledAtTheEnd).toEqual(eagerBufferConfigImpl(5, 6, singletonMap('myConfigKey', 'myConfigValue')))
    // long chain of strict buffer config sets logging even after other setters
    expect(bufferConfigWithLoggingCalledAtTheEnd.shutDownWhenFull()).toEqual(strictBufferConfigImpl(5, 6, singletonMap('myConfigKey', 'myConfigValue')))
  })
})
