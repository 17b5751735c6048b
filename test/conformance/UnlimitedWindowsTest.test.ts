// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/UnlimitedWindowsTest.java
//
// Java's windowsFor(timestamp) returns a map from window start to UnlimitedWindow; Tributary's returns
// the starts, and every window it stands for is [start, MAX_TIME]. shouldThrowOnUntil (the removed
// Windows.until) and the equals/hashCode checks are Java-only, see README.md.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { UnlimitedWindows } from '../../src/dsl/index.js'

const anyStartTime = 10

describe('UnlimitedWindowsTest', () => {
  it('shouldSetWindowStartTime', () => {
    expect(UnlimitedWindows.of().startOn(anyStartTime).startMs).toBe(anyStartTime)
  })

  it('startTimeMustNotBeNegative', () => {
    expect(() => UnlimitedWindows.of().startOn(-1)).toThrow(ConfigError)
  })

  it('shouldIncludeRecordsThatHappenedOnWindowStart', () => {
    const w = UnlimitedWindows.of().startOn(anyStartTime)
    const matchedWindows = w.windowsFor(w.startMs)
    expect(matchedWindows).toEqual([anyStartTime])
  })

  it('shouldIncludeRecordsThatHappenedAfterWindowStart', () => {
    const w = UnlimitedWindows.of().startOn(anyStartTime)
    const timestamp = w.startMs + 1
    const matchedWindows = w.windowsFor(timestamp)
    expect(matchedWindows).toEqual([anyStartTime])
  })

  it('shouldExcludeRecordsThatHappenedBeforeWindowStart', () => {
    const w = UnlimitedWindows.of().startOn(anyStartTime)
    const timestamp = w.startMs - 1
    const matchedWindows = w.windowsFor(timestamp)
    expect(matchedWindows).toEqual([])
  })
})
