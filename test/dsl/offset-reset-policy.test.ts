import { describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'

describe('offsetResetPolicy of a source', () => {
  it('is kept per source topic; a table takes one too, repartition topics have none', () => {
    const b = new StreamsBuilder()
    b.stream('alerts', { offsetResetPolicy: 'latest' }).groupBy((k) => k).count()
    b.table('drivers', { offsetResetPolicy: 'earliest' })
    b.stream('audit').to('out')
    const topology = b.build()
    expect(topology.offsetResetPolicy('alerts')).toBe('latest')
    expect(topology.offsetResetPolicy('drivers')).toBe('earliest')
    expect(topology.offsetResetPolicy('audit')).toBeUndefined()
    const repartition = topology.sourceTopics().find((t) => t.endsWith('-repartition'))
    expect(repartition).toBeDefined()
    expect(topology.offsetResetPolicy(repartition!)).toBeUndefined()
  })

  it('is refused on a global table, which is always read from the start', () => {
    const b = new StreamsBuilder()
    expect(() => b.globalTable('zones', { offsetResetPolicy: 'latest' })).toThrow(TopologyError)
    expect(() => b.globalTable('zones', { offsetResetPolicy: 'latest' })).toThrow(/always read from the start/)
  })
})
