import { describe, expect, it } from 'vitest'
import { changeSerde } from '../../src/processors/change-serde.js'
import { valueAndTimestampSerde } from '../../src/processors/value-and-timestamp.js'
import { Serdes } from '../../src/serde/serdes.js'

const ctx = { topic: 't', isKey: false }

describe('internal serdes of operators', () => {
  it('a table change round-trips with either side absent', () => {
    const serde = changeSerde(Serdes.string())
    for (const change of [
      { newValue: 'new', oldValue: 'old' },
      { newValue: null, oldValue: 'old' },
      { newValue: 'new', oldValue: null },
      { newValue: '', oldValue: '' },
    ]) {
      expect(serde.deserialize(serde.serialize(change, ctx) as Buffer, ctx)).toEqual(change)
    }
  })

  it('a timestamped value keeps the timestamp ahead of the value', () => {
    const serde = valueAndTimestampSerde(Serdes.json<{ n: number }>())
    const bytes = serde.serialize({ value: { n: 1 }, timestamp: 1_700_000_000_123 }, ctx) as Buffer
    expect(bytes.readBigInt64BE(0)).toBe(1_700_000_000_123n)
    expect(serde.deserialize(bytes, ctx)).toEqual({ value: { n: 1 }, timestamp: 1_700_000_000_123 })
  })
})
