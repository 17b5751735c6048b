import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

describe('KStream.print', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-print-'))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('writes [label]: key, value per record to a file, truncated when first opened, labelled by its name by default', async () => {
    const file = join(dir, 'printed.txt')
    const b = new StreamsBuilder()
    const rides = b.stream<string, { km: number }>('rides', { keySerde: Serdes.string(), valueSerde: Serdes.json() })
    rides.print({ toFile: file })
    rides.mapValues((r) => (r === null ? null : r.km)).print({ toFile: join(dir, 'km.txt'), label: 'km', mapper: (k, km) => `${k}=${km}` })
    const topology = b.build()
    expect(topology.describe().toString()).toContain('Processor: KSTREAM-PRINTER-0000000001 (stores: [])\n      --> none')

    writeFileSync(file, 'left from an earlier run\n')
    const line = (run: number) => `[KSTREAM-PRINTER-0000000001]: r1, {"km":${run}}\n[KSTREAM-PRINTER-0000000001]: r2, null\n`
    for (const run of [1, 2]) {
      const driver = new TopologyTestDriver(topology)
      const input = driver.createInputTopic('rides', Serdes.string(), Serdes.json<{ km: number } | null>())
      await input.pipeInput('r1', { km: run })
      await input.pipeInput('r2', null)
      await driver.close()
    }
    // Truncated when the topology first opened it, appended to when it opened it again.
    expect(readFileSync(file, 'utf8')).toBe(line(1) + line(2))
    expect(readFileSync(join(dir, 'km.txt'), 'utf8')).toBe('[km]: r1=1\n[km]: r2=null\n[km]: r1=2\n[km]: r2=null\n')
  })
})
