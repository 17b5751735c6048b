import { describe, expect, it } from 'vitest'
import type { Record as StreamRecord } from '../../../src/core/record.js'
import type { ProcessorContext } from '../../../src/processors/api.js'
import { murmur3Hash128 } from '../../../src/processors/joins/foreign-key/murmur3.js'
import { responseJoinProcessor } from '../../../src/processors/joins/foreign-key/response-join.js'
import { Instruction, subscribersSerde, subscriptionResponseSerde, subscriptionSerde } from '../../../src/processors/joins/foreign-key/subscription.js'
import { Serdes } from '../../../src/serde/serdes.js'

const ctx = { topic: 't', isKey: false }

describe('foreign-key join internals', () => {
  it('murmur3 x64 128 matches the reference vectors', () => {
    expect(murmur3Hash128(Buffer.alloc(0)).toString('hex')).toBe('00000000000000000000000000000000')
    expect(murmur3Hash128(Buffer.from('foo')).toString('hex')).toBe('e271865701f545617eaf87e42bba7d87')
    expect(murmur3Hash128(Buffer.from('The quick brown fox jumps over the lazy dog')).toString('hex')).toBe('e34bbc7bbc071b6c7a433ca9c49a9347')
  })

  it('subscription, response and subscriber-list serdes round-trip', () => {
    const hash = murmur3Hash128(Buffer.from('x'))
    const sub = subscriptionSerde(Serdes.string())
    expect(sub.deserialize(sub.serialize({ hash, instruction: Instruction.propagateOnlyIfForeignValue, primaryKey: 'pk' }, ctx) as Buffer, ctx)).toEqual({
      hash,
      instruction: Instruction.propagateOnlyIfForeignValue,
      primaryKey: 'pk',
    })
    const response = subscriptionResponseSerde(Serdes.json<{ n: number }>())
    expect(response.deserialize(response.serialize({ hash: null, foreignValue: null }, ctx) as Buffer, ctx)).toEqual({ hash: null, foreignValue: null })
    expect(response.deserialize(response.serialize({ hash, foreignValue: { n: 1 } }, ctx) as Buffer, ctx)).toEqual({ hash, foreignValue: { n: 1 } })
    const list = subscribersSerde(Serdes.string())
    const subscribers = [{ primaryKey: 'a', hash, timestamp: 5 }, { primaryKey: 'bb', hash: null, timestamp: 7 }]
    expect(list.deserialize(list.serialize(subscribers, ctx) as Buffer, ctx)).toEqual(subscribers)
  })

  it('an answer for an older left value (hash mismatch) is dropped; the current one is joined', async () => {
    const hashOf = (v: unknown) => murmur3Hash128(Buffer.from(JSON.stringify(v)))
    const forwarded: StreamRecord<unknown, unknown>[] = []
    const processor = responseJoinProcessor({ leftView: { kind: 'store', storeName: 'left', storeType: 'keyValue' }, left: false, joiner: (l, r) => `${l}+${r}`, hashOf })()
    const context = {
      getStateStore: () => ({ get: (key: unknown) => (key === 'k' ? { value: 'current', timestamp: 1 } : undefined) }),
      forward: (r: StreamRecord<unknown, unknown>) => {
        forwarded.push(r)
      },
    } as unknown as ProcessorContext
    await processor.init?.(context)
    await processor.process({ key: 'k', value: { hash: hashOf('older'), foreignValue: 'R' }, timestamp: 5, headers: {} })
    expect(forwarded).toEqual([])
    await processor.process({ key: 'k', value: { hash: hashOf('current'), foreignValue: 'R' }, timestamp: 6, headers: {} })
    expect(forwarded.map((r) => [r.key, r.value, r.timestamp])).toEqual([['k', 'current+R', 6]])
  })
})
