import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { haveKcat, kcat, KCAT } from '../broker/fixtures/kcat.js'

if (!haveKcat) console.warn(`kcat tests skipped: ${KCAT} is not installed (apt-get install kcat)`)

describe.skipIf(!haveKcat)('embedded broker with kcat (librdkafka)', () => {
  let kafka: EmbeddedKafka

  beforeAll(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 3 })
  })

  afterAll(async () => {
    await kafka.close()
  })

  it('-P produces keyed records and -L lists the auto-created topic', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `rider${i}:trip${i}`).join('\n') + '\n'
    await kcat(['-b', kafka.bootstrapServers, '-P', '-t', 'trips', '-K:', '-X', 'enable.idempotence=true'], lines)
    const metadata = await kcat(['-b', kafka.bootstrapServers, '-L', '-t', 'trips'])
    expect(metadata).toContain('topic "trips" with 3 partitions')
    expect(metadata).toMatch(/partition 0, leader 0, replicas: 0, isrs: 0/)
  })

  it('-C consumes every partition from the beginning and from a given offset', async () => {
    const all = await kcat(['-b', kafka.bootstrapServers, '-C', '-t', 'trips', '-o', 'beginning', '-e', '-f', '%p %o %k %s\n'])
    const rows = all.trim().split('\n')
    expect(rows).toHaveLength(30)
    expect(new Set(rows.map((r) => r.split(' ')[2]))).toEqual(new Set(Array.from({ length: 30 }, (_, i) => `rider${i}`)))
    const p0 = rows.filter((r) => r.startsWith('0 '))
    const fromTwo = await kcat(['-b', kafka.bootstrapServers, '-C', '-t', 'trips', '-p', '0', '-o', '2', '-e', '-f', '%o %k\n'])
    expect(fromTwo.trim().split('\n')).toEqual(p0.slice(2).map((r) => `${r.split(' ')[1]} ${r.split(' ')[2]}`))
  })

  it('-G consumes as a group, commits, and a second run resumes after the commit', async () => {
    const first = await kcat(['-b', kafka.bootstrapServers, '-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-f', '%k\n', 'trips'])
    expect(first.trim().split('\n')).toHaveLength(30)
    await kcat(['-b', kafka.bootstrapServers, '-P', '-t', 'trips', '-K:'], 'late:arrival\n')
    const second = await kcat(['-b', kafka.bootstrapServers, '-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-f', '%k\n', 'trips'])
    expect(second.trim().split('\n')).toEqual(['late'])
  })
})

