/**
 * Each join buffer expires records by the largest timestamp written into that buffer, not by the
 * task's stream time (which also counts the other side's records): Kafka Streams' segmented window
 * stores keep their own observed stream time. The cases and expected outputs are Kafka Streams' own
 * (KStreamKStreamJoinTest, KStreamKStreamLeftJoinTest, KStreamKStreamOuterJoinTest).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import { TopologyTestDriver, type TestInputTopic, type TestOutputTopic } from '../../src/testing/index.js'
import { int, rows, storeEngines, str, toStringJoiner } from '../processors/joins/fixtures.js'

type JoinKind = 'join' | 'leftJoin' | 'outerJoin'
type Row = [number | null, string | null, number]

interface Join {
  readonly left: TestInputTopic<number, string>
  readonly right: TestInputTopic<number, string>
  readonly out: TestOutputTopic<number, string>
}

const KEYS = [0, 1, 2, 3]

describe.each(storeEngines)('join buffers expire by their own observed time (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function start(kind: JoinKind, windows: JoinWindows): Join {
    const builder = new StreamsBuilder()
    const left = builder.stream<number, string>('topic1', { keySerde: int, valueSerde: str })
    const right = builder.stream<number, string>('topic2', { keySerde: int, valueSerde: str })
    const joined =
      kind === 'join'
        ? left.join(right, toStringJoiner, windows)
        : kind === 'leftJoin'
          ? left.leftJoin(right, toStringJoiner, windows)
          : left.outerJoin(right, toStringJoiner, windows)
    joined.to('out', { keySerde: int, valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    return {
      left: driver.createInputTopic('topic1', int, str),
      right: driver.createInputTopic('topic2', int, str),
      out: driver.createOutputTopic('out', int, str),
    }
  }

  async function pipeAll(topic: TestInputTopic<number, string>, prefix: string, time: number): Promise<void> {
    for (const k of KEYS) await topic.pipeInput(k, `${prefix}${k}`, time)
  }

  it('inner join, window after 100 and before 0: the record at the inclusive edge still joins (KStreamKStreamJoinTest.testAsymmetricWindowingAfter)', async () => {
    const { left, right, out } = start('join', JoinWindows.ofTimeDifferenceWithNoGrace(0).after(100))
    for (const k of KEYS) await left.pipeInput(k, `A${k}`, 1000 + k)
    expect(rows(out)).toEqual([])
    await pipeAll(right, 'a', 999)
    expect(rows(out)).toEqual([])
    await pipeAll(right, 'b', 1000)
    expect(rows(out)).toEqual([[0, 'A0+b0', 1000]])
    await pipeAll(right, 'c', 1001)
    expect(rows(out)).toEqual([[0, 'A0+c0', 1001], [1, 'A1+c1', 1001]])
    await pipeAll(right, 'd', 1002)
    expect(rows(out)).toEqual([[0, 'A0+d0', 1002], [1, 'A1+d1', 1002], [2, 'A2+d2', 1002]])
    await pipeAll(right, 'e', 1003)
    expect(rows(out)).toEqual([[0, 'A0+e0', 1003], [1, 'A1+e1', 1003], [2, 'A2+e2', 1003], [3, 'A3+e3', 1003]])
    // Stream time is 1100, but the left buffer has seen 1003 at most: A0 (1000) is still live there.
    await pipeAll(right, 'f', 1100)
    expect(rows(out)).toEqual([[0, 'A0+f0', 1100], [1, 'A1+f1', 1100], [2, 'A2+f2', 1100], [3, 'A3+f3', 1100]])
    await pipeAll(right, 'g', 1101)
    expect(rows(out)).toEqual([[1, 'A1+g1', 1101], [2, 'A2+g2', 1101], [3, 'A3+g3', 1101]])
    await pipeAll(right, 'h', 1102)
    expect(rows(out)).toEqual([[2, 'A2+h2', 1102], [3, 'A3+h3', 1102]])
    await pipeAll(right, 'i', 1103)
    expect(rows(out)).toEqual([[3, 'A3+i3', 1103]])
    await pipeAll(right, 'j', 1104)
    expect(rows(out)).toEqual([])
  })

  it('left join, window after 100 and before 0 (KStreamKStreamLeftJoinTest.shouldNotEmitLeftJoinResultForAsymmetricWindow)', async () => {
    const { left, right, out } = start('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).before(0))
    await left.pipeInput(0, 'A0', 0)
    await left.pipeInput(1, 'A1', 1)
    expect(rows(out)).toEqual([])
    await right.pipeInput(0, 'a0', 100)
    expect(rows(out)).toEqual([[0, 'A0+a0', 100]])
    await right.pipeInput(1, 'a1', 102)
    expect(rows(out)).toEqual([[1, 'A1+null', 1]])
  })

  it('outer join, window before 0 (KStreamKStreamOuterJoinTest.testShouldNotEmitLeftJoinResultForAsymmetricBeforeWindow)', async () => {
    const { left, right, out } = start('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).before(0))
    await left.pipeInput(0, 'A0', 0)
    await left.pipeInput(1, 'A1', 1)
    expect(rows(out)).toEqual([])
    await right.pipeInput(0, '10', 100)
    expect(rows(out)).toEqual([[0, 'A0+10', 100]])
    await right.pipeInput(1, '11', 102)
    expect(rows(out)).toEqual([[1, 'A1+null', 1]])
    await right.pipeInput(2, '12', 103)
    expect(rows(out)).toEqual([[1, 'null+11', 102]])
    await left.pipeInput(2, 'A2', 103)
    expect(rows(out)).toEqual([[2, 'A2+12', 103]])
  })

  it('outer join, window after 0 (KStreamKStreamOuterJoinTest.testShouldNotEmitLeftJoinResultForAsymmetricAfterWindow)', async () => {
    const { left, right, out } = start('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0))
    await left.pipeInput(0, 'A0', 0)
    await left.pipeInput(1, 'A1', 1)
    expect(rows(out)).toEqual([[0, 'A0+null', 0]])
    await right.pipeInput(1, '11', 1)
    expect(rows(out)).toEqual([[1, 'A1+11', 1]])
    await right.pipeInput(2, '12', 101)
    expect(rows(out)).toEqual([])
    await right.pipeInput(3, '13', 101)
    expect(rows(out)).toEqual([])
    // The right buffer has seen 101 at most: 12 (101) is live there although stream time is 201.
    await left.pipeInput(2, 'A2', 201)
    expect(rows(out)).toEqual([[2, 'A2+12', 201]])
  })

  describe.each([
    ['leftJoin', 'KStreamKStreamLeftJoinTest'],
    ['outerJoin', 'KStreamKStreamOuterJoinTest'],
  ] as const)('%s, window 100 each way, no grace (%s.testWindowing)', (kind, _kafkaTest) => {
    it('late left records join the right records their window still holds', async () => {
      const { left, right, out } = start(kind, JoinWindows.ofTimeDifferenceWithNoGrace(100))
      const outer = kind === 'outerJoin'
      // Kafka's outer test pipes numbers `key + 10` on the right; the left join test `a<key>`.
      const r = (k: number, base: number, prefix: string) => (outer ? String(k + base) : `${prefix}${k}`)

      await left.pipeInput(0, 'A0', 0)
      await left.pipeInput(1, 'A1', 0)
      expect(rows(out)).toEqual([])
      for (const k of KEYS) await right.pipeInput(k, r(k, 10, 'a'), 0)
      expect(rows(out)).toEqual([[0, `A0+${r(0, 10, 'a')}`, 0], [1, `A1+${r(1, 10, 'a')}`, 0]])

      // Upper window bound.
      for (const k of KEYS) await right.pipeInput(k, r(k, 20, 'b'), 1000 + k)
      expect(rows(out)).toEqual(outer ? [[2, 'null+12', 0], [3, 'null+13', 0]] : [])
      const b = (k: number) => r(k, 20, 'b')
      await pipeAll(left, 'B', 1100)
      expect(rows(out)).toEqual(KEYS.map((k): Row => [k, `B${k}+${b(k)}`, 1100]))
      await pipeAll(left, 'C', 1101)
      expect(rows(out)).toEqual([1, 2, 3].map((k): Row => [k, `C${k}+${b(k)}`, 1101]))
      await pipeAll(left, 'D', 1102)
      expect(rows(out)).toEqual([2, 3].map((k): Row => [k, `D${k}+${b(k)}`, 1102]))
      await pipeAll(left, 'E', 1103)
      expect(rows(out)).toEqual([[3, `E3+${b(3)}`, 1103]])
      await pipeAll(left, 'F', 1104)
      expect(rows(out)).toEqual([])
      await left.pipeInput(0, 'dummy', 1405)
      expect(rows(out)).toEqual([
        [0, 'C0+null', 1101],
        [0, 'D0+null', 1102],
        [1, 'D1+null', 1102],
        [0, 'E0+null', 1103],
        [1, 'E1+null', 1103],
        [2, 'E2+null', 1103],
        [0, 'F0+null', 1104],
        [1, 'F1+null', 1104],
        [2, 'F2+null', 1104],
        [3, 'F3+null', 1104],
      ])

      // Lower window bound: stream time is 1405, but the right buffer has seen 1003 at most, so
      // records from 900 on still find the right records from 1000 on.
      await pipeAll(left, 'G', 899)
      expect(rows(out)).toEqual(KEYS.map((k): Row => [k, `G${k}+null`, 899]))
      await pipeAll(left, 'H', 900)
      expect(rows(out)).toEqual([[0, `H0+${b(0)}`, 1000], [1, 'H1+null', 900], [2, 'H2+null', 900], [3, 'H3+null', 900]])
      await pipeAll(left, 'I', 901)
      expect(rows(out)).toEqual([[0, `I0+${b(0)}`, 1000], [1, `I1+${b(1)}`, 1001], [2, 'I2+null', 901], [3, 'I3+null', 901]])
      await pipeAll(left, 'J', 902)
      expect(rows(out)).toEqual([[0, `J0+${b(0)}`, 1000], [1, `J1+${b(1)}`, 1001], [2, `J2+${b(2)}`, 1002], [3, 'J3+null', 902]])
      await pipeAll(left, 'K', 903)
      expect(rows(out)).toEqual(KEYS.map((k): Row => [k, `K${k}+${b(k)}`, 1000 + k]))
      // Kafka's left join test pipes it 300 ms on, its outer join test 200 ms on: both are emitted at once.
      const dummyAt = outer ? 1103 : 1203
      await left.pipeInput(0, 'dummy', dummyAt)
      expect(rows(out)).toEqual([[0, 'dummy+null', dummyAt]])
    })
  })
})
