// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java
//
// So far only the tests of ValueJoinerWithKey (KIP-149) arguments: a null ValueJoinerWithKey is
// refused when the join is declared. Java throws NullPointerException("joiner can't be null");
// Tributary throws a TopologyError whose message says the same and what to pass instead.
// Java's deprecated JoinWindows.of(ofMillis(10)) is JoinWindows.ofTimeDifferenceWithNoGrace(10)
// here (the windows' grace plays no part); StreamJoined.as("name") is { storeName: 'name' },
// Joined.as("name") and Named.as("name") are { name: 'name' }.
import { beforeEach, describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import type { GlobalKTable, KStream, KTable, ValueJoinerWithKey } from '../../src/dsl/index.js'

// MockMapper.selectValueMapper(): (key, value) -> value
const selectValueMapper = (_key: string, value: string): string => value

// Java's `(ValueJoinerWithKey<? super String, ? super String, ? super String, ?>) null`
const nullJoinerWithKey = null as unknown as ValueJoinerWithKey<string, string | null, string | null, unknown>

function expectJoinerCantBeNull(declare: () => unknown): void {
  expect(declare).toThrow(TopologyError)
  expect(declare).toThrow("joiner can't be null")
}

describe('KStreamImplTest', () => {
  let builder: StreamsBuilder
  let testStream: KStream<string, string>
  let testTable: KTable<string, string>
  let testGlobalTable: GlobalKTable<string, string>

  beforeEach(() => {
    builder = new StreamsBuilder()
    testStream = builder.stream<string, string>('source')
    testTable = builder.table<string, string>('topic')
    testGlobalTable = builder.globalTable<string, string>('global')
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnJoin', () => {
    expectJoinerCantBeNull(() => testStream.join(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10)))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnJoinWithStreamJoined', () => {
    expectJoinerCantBeNull(() => testStream.join(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10), { storeName: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnLeftJoin', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10)))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnLeftJoinWithStreamJoined', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10), { storeName: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnOuterJoin', () => {
    expectJoinerCantBeNull(() => testStream.outerJoin(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10)))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnOuterJoinWithStreamJoined', () => {
    expectJoinerCantBeNull(() => testStream.outerJoin(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10), { storeName: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnTableJoin', () => {
    expectJoinerCantBeNull(() => testStream.join(testTable, nullJoinerWithKey))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnTableJoinWithJoiner', () => {
    expectJoinerCantBeNull(() => testStream.join(testTable, nullJoinerWithKey, { name: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnTableLeftJoin', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testTable, nullJoinerWithKey))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnTableLeftJoinWithJoined', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testTable, nullJoinerWithKey, { name: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnJoinWithGlobalTable', () => {
    expectJoinerCantBeNull(() => testStream.join(testGlobalTable, selectValueMapper, nullJoinerWithKey))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnJoinWithGlobalTableWithNamed', () => {
    // Java casts its null to ValueJoiner here; a null is a null.
    expectJoinerCantBeNull(() => testStream.join(testGlobalTable, selectValueMapper, nullJoinerWithKey, { name: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnLeftJoinWithGlobalTable', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testGlobalTable, selectValueMapper, nullJoinerWithKey))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnLeftJoinWithGlobalTableWithNamed', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testGlobalTable, selectValueMapper, nullJoinerWithKey, { name: 'name' }))
  })
})
