import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../../src/dsl/index.js'
import { TopologyTestDriver } from '../../../src/testing/index.js'
import { int, rows, storeEngines, str, toStringJoiner } from './fixtures.js'

const keys = [0, 1, 2, 3]

describe.each(storeEngines)('stream-table joins (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function start(left: boolean) {
    const builder = new StreamsBuilder()
    const stream = builder.stream<number, string>('stream', { keySerde: int, valueSerde: str })
    const table = builder.table<number, string>('table', { keySerde: int, valueSerde: str, storeName: 'table-store' })
    const joined = left ? stream.leftJoin(table, toStringJoiner) : stream.join(table, toStringJoiner)
    joined.to('out', { keySerde: int, valueSerde: str })
    const topology = builder.build()
    driver = new TopologyTestDriver(topology, { stateStores })
    const streamIn = driver.createInputTopic('stream', int, str)
    const tableIn = driver.createInputTopic('table', int, str)
    return {
      topology,
      out: driver.createOutputTopic('out', int, str),
      pushToStream: async (count: number, prefix: string) => {
        for (let i = 0; i < count; i++) await streamIn.pipeInput(keys[i] as number, `${prefix}${keys[i]}`, i)
      },
      pushToTable: async (count: number, prefix: string) => {
        for (let i = 0; i < count; i++) await tableIn.pipeInput(keys[i] as number, `${prefix}${keys[i]}`, 10 + i)
      },
      pushNullsToTable: async (count: number) => {
        for (let i = 0; i < count; i++) await tableIn.pipeInput(keys[i] as number, null, 20 + i)
      },
      streamIn,
    }
  }

  describe('inner join (KStreamKTableJoinTest)', () => {
    it('does not join with an empty table, and table updates never emit', async () => {
      const { out, pushToStream, pushToTable, topology } = start(false)
      expect(topology.copartitionGroups).toEqual([['stream', 'table']])
      await pushToStream(4, 'X')
      expect(rows(out)).toEqual([])
      await pushToTable(4, 'Y')
      expect(rows(out)).toEqual([])
    })

    it('joins only stream records that find a row; the result has the stream record timestamp', async () => {
      const { out, pushToStream, pushToTable } = start(false)
      await pushToTable(2, 'Y')
      await pushToStream(4, 'X')
      expect(rows(out)).toEqual([[0, 'X0+Y0', 0], [1, 'X1+Y1', 1]])
      await pushToTable(4, 'YY')
      await pushToStream(4, 'X')
      expect(rows(out)).toEqual([[0, 'X0+YY0', 0], [1, 'X1+YY1', 1], [2, 'X2+YY2', 2], [3, 'X3+YY3', 3]])
    })

    it('a table tombstone removes the row from later joins', async () => {
      const { out, pushToStream, pushToTable, pushNullsToTable } = start(false)
      await pushToTable(4, 'Y')
      await pushToStream(4, 'X')
      expect(rows(out)).toHaveLength(4)
      await pushNullsToTable(2)
      await pushToStream(4, 'XX')
      expect(rows(out)).toEqual([[2, 'XX2+Y2', 2], [3, 'XX3+Y3', 3]])
    })

    it('drops and counts stream records with a null key or value', async () => {
      const { out, pushToTable, streamIn } = start(false)
      await pushToTable(1, 'Y')
      await streamIn.pipeInput(null, 'A', 0)
      await streamIn.pipeInput(0, null, 0)
      expect(rows(out)).toEqual([])
      expect(driver?.metrics().droppedRecordsByReason).toMatchObject({ 'null-key': 1, 'null-value': 1 })
    })
  })

  describe('left join (KStreamKTableLeftJoinTest)', () => {
    it('joins every stream record, with null where the table has no row', async () => {
      const { out, pushToStream, pushToTable, pushNullsToTable } = start(true)
      await pushToStream(2, 'X')
      expect(rows(out)).toEqual([[0, 'X0+null', 0], [1, 'X1+null', 1]])
      await pushToTable(2, 'Y')
      expect(rows(out)).toEqual([])
      await pushToStream(4, 'X')
      expect(rows(out)).toEqual([[0, 'X0+Y0', 0], [1, 'X1+Y1', 1], [2, 'X2+null', 2], [3, 'X3+null', 3]])
      await pushNullsToTable(1)
      await pushToStream(2, 'XX')
      expect(rows(out)).toEqual([[0, 'XX0+null', 0], [1, 'XX1+Y1', 1]])
    })

    it('drops a null value; emits a keyless record with a null partner (KIP-962)', async () => {
      const { out, streamIn } = start(true)
      await streamIn.pipeInput(0, null, 0)
      await streamIn.pipeInput(null, 'A', 5)
      expect(rows(out)).toEqual([[null, 'A+null', 5]])
      expect(driver?.metrics().droppedRecordsByReason['null-value']).toBe(1)
    })
  })

  it('a derived (filtered) table is materialized for the join and honours the filter', async () => {
    const builder = new StreamsBuilder()
    const stream = builder.stream<number, string>('stream', { keySerde: int, valueSerde: str })
    const table = builder.table<number, string>('table', { keySerde: int, valueSerde: str }).filter((_k, v) => v.startsWith('ok'))
    stream.leftJoin(table, toStringJoiner).to('out', { keySerde: int, valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const tableIn = driver.createInputTopic('table', int, str)
    await tableIn.pipeInput(0, 'ok-0', 0)
    await tableIn.pipeInput(1, 'bad-1', 0)
    const streamIn = driver.createInputTopic('stream', int, str)
    await streamIn.pipeInput(0, 'A', 1)
    await streamIn.pipeInput(1, 'B', 2)
    await tableIn.pipeInput(0, 'bad-now', 3)
    await streamIn.pipeInput(0, 'C', 4)
    expect(rows(driver.createOutputTopic('out', int, str))).toEqual([[0, 'A+ok-0', 1], [1, 'B+null', 2], [0, 'C+null', 4]])
  })
})
