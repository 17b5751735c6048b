import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../../src/dsl/index.js'
import { TopologyTestDriver } from '../../../src/testing/index.js'
import { int, rows, storeEngines, str, toStringJoiner } from './fixtures.js'

// Scenarios of Kafka Streams' KStreamKStreamOuterJoinTest (right values are numbers there, strings here).
describe.each(storeEngines)('stream-stream outer join (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function start(windows: JoinWindows) {
    const builder = new StreamsBuilder()
    const left = builder.stream<number, string>('topic1', { keySerde: int, valueSerde: str })
    const right = builder.stream<number, string>('topic2', { keySerde: int, valueSerde: str })
    left.outerJoin(right, toStringJoiner, windows).to('out', { keySerde: int, valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    return {
      left: driver.createInputTopic('topic1', int, str),
      right: driver.createInputTopic('topic2', int, str),
      out: driver.createOutputTopic('out', int, str),
    }
  }

  it('duplicates: each unmatched duplicate is emitted once its window closed, each matched one joins (testOuterJoinDuplicates)', async () => {
    const { left, right, out } = start(JoinWindows.ofTimeDifferenceAndGrace(100, 10))
    await left.pipeInput(0, 'A0', 0)
    await left.pipeInput(0, 'A0-0', 0)
    await right.pipeInput(1, '11', 0)
    await right.pipeInput(1, '12', 0)
    await right.pipeInput(1, '10', 111)
    await right.pipeInput(3, '100', 211)
    expect(rows(out)).toEqual([[1, 'null+11', 0], [1, 'null+12', 0], [0, 'A0+null', 0], [0, 'A0-0+null', 0]])
    await left.pipeInput(2, 'A2', 200)
    await left.pipeInput(2, 'A2-0', 200)
    await right.pipeInput(2, '13', 201)
    await right.pipeInput(2, '14', 201)
    expect(rows(out)).toEqual([[2, 'A2+13', 201], [2, 'A2-0+13', 201], [2, 'A2+14', 201], [2, 'A2-0+14', 201]])
    await right.pipeInput(3, '100', 1500)
    expect(rows(out)).toEqual([[1, 'null+10', 111], [3, 'null+100', 211]])
  })

  describe.each([
    ['left', 'left'],
    ['left', 'right'],
    ['right', 'left'],
    ['right', 'right'],
  ] as const)('expired %s records are emitted by the %s processor', (expiredSide, triggerSide) => {
    it('once stream time passes their window, in timestamp order', async () => {
      const { left, right, out } = start(JoinWindows.ofTimeDifferenceWithNoGrace(100))
      const buffered = expiredSide === 'left' ? left : right
      const joining = expiredSide === 'left' ? right : left
      const show = (v: string, other: string): string => (expiredSide === 'left' ? `${v}+${other}` : `${other}+${v}`)
      await buffered.pipeInput(0, 'X0', 1)
      await buffered.pipeInput(1, 'X1', 2)
      await buffered.pipeInput(0, 'X0-0', 3)
      expect(rows(out)).toEqual([])
      await joining.pipeInput(1, 'Y1', 3)
      expect(rows(out)).toEqual([[1, show('X1', 'Y1'), 3]])
      const trigger = triggerSide === 'left' ? left : right
      const flush = triggerSide === 'left' ? right : left
      await trigger.pipeInput(2, 'dummy', 401)
      expect(rows(out)).toEqual([[0, show('X0', 'null'), 1], [0, show('X0-0', 'null'), 3]])
      await flush.pipeInput(2, 'other', 402)
      expect(rows(out)).toEqual([[2, triggerSide === 'left' ? 'dummy+other' : 'other+dummy', 402]])
    })
  })
})
