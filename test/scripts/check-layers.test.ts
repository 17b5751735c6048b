import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { findViolations, importsOf, layerOf } from '../../scripts/check-layers.mjs'

const repoRoot = resolve(import.meta.dirname, '../..')
let roots: string[] = []

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tributary-layers-'))
  roots.push(root)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

afterEach(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
  roots = []
})

describe('layer checker', () => {
  it('finds the layer of a path', () => {
    expect(layerOf('src/state/rocksdb/segment.ts')).toBe('state')
    expect(layerOf('src/index.ts')).toBe('index')
    expect(layerOf('topologies/fleet-map/topology.ts')).toBe('topologies')
    expect(layerOf('test/state/x.test.ts')).toBeUndefined()
  })

  it('reads static, type-only, re-export and dynamic imports but not commented ones', () => {
    const source = [
      "import { a } from './a.js'",
      "import type { B } from '../b.js'",
      "export * from './c.js'",
      "const d = await import('./d.js')",
      "// import { e } from './e.js'",
      "/* import { f } from './f.js' */",
    ].join('\n')
    expect(importsOf(source)).toEqual(['./a.js', '../b.js', './c.js', './d.js'])
  })

  it('accepts imports of lower layers, transitively', () => {
    const root = tree({
      'src/core/record.ts': 'export type R = 1',
      'src/processors/filter.ts': "import type { R } from '../core/record.js'\nimport { s } from '../state/types.js'",
      'src/dsl/k-stream.ts': "import { t } from '../topology/topology.js'\nimport { c } from '../core/record.js'",
    })
    expect(findViolations(root)).toEqual([])
  })

  it('rejects an import of a higher layer and names both layers', () => {
    const root = tree({ 'src/state/store.ts': "import { KStream } from '../dsl/k-stream.js'" })
    expect(findViolations(root)).toEqual([
      expect.stringContaining('src/state/store.ts: layer "state" may not import layer "dsl"'),
    ])
  })

  it('lets the topology use only the Processor API of the processors, and the DSL any processor', () => {
    const root = tree({
      'src/topology/topology-assembler.ts': "import type { ProcessorSupplier } from '../processors/api.js'",
      'src/topology/compile.ts': "import { filterProcessor } from '../processors/filter.js'",
      'src/topology/views.ts': "import type { ValueAndTimestamp } from '../state/types.js'",
      'src/dsl/logical/compile.ts': "import { filterProcessor } from '../../processors/filter.js'\nimport { Topology } from '../../topology/topology.js'",
    })
    expect(findViolations(root)).toEqual([
      'src/topology/compile.ts: layer "topology" may import only src/processors/api.ts of layer "processors", not src/processors/filter.ts',
    ])
  })

  it('keeps the runtime and the testing driver away from the DSL, and the broker self-contained', () => {
    const root = tree({
      'src/runtime/app.ts': "import { StreamsBuilder } from '../dsl/streams-builder.js'",
      'src/testing/driver.ts': "import { KStream } from '../dsl/k-stream.js'",
      'src/broker/server.ts': "import { TributaryError } from '../core/errors.js'",
    })
    expect(findViolations(root)).toHaveLength(3)
  })

  it('limits @platformatic/kafka to src/kafka and rocksdb to src/state/rocksdb', () => {
    const root = tree({
      'src/runtime/loop.ts': "import { Consumer } from '@platformatic/kafka'",
      'src/kafka/consumer.ts': "import { Consumer } from '@platformatic/kafka'",
      'src/state/memory/store.ts': "import rocksdb from 'rocksdb'",
      'src/state/rocksdb/store.ts': "import rocksdb from 'rocksdb'",
    })
    const violations = findViolations(root)
    expect(violations).toHaveLength(2)
    expect(violations.join('\n')).toContain('src/runtime/loop.ts: only src/kafka/ may import "@platformatic/kafka"')
    expect(violations.join('\n')).toContain('src/state/memory/store.ts: only src/state/rocksdb/ may import "rocksdb"')
  })

  it('lets bundled topologies use the public entry points only', () => {
    const root = tree({
      'topologies/fleet-map/topology.ts': "import { StreamsBuilder } from '../../src/index.js'\nimport { h3 } from '../../src/geo/index.js'",
      'topologies/surge/topology.ts': "import { KStream } from '../../src/dsl/k-stream.js'",
    })
    expect(findViolations(root)).toEqual([expect.stringContaining('topologies/surge/topology.ts: bundled topologies import only the public API')])
  })

  it('fails `node scripts/check-layers.mjs` on the real tree when a violation is planted', () => {
    const planted = join(repoRoot, 'src/core/planted-violation-for-test.ts')
    writeFileSync(planted, "import type { StateStore } from '../state/types.js'\nexport type X = StateStore\n")
    try {
      const result = spawnSync(process.execPath, [join(repoRoot, 'scripts/check-layers.mjs')], { encoding: 'utf8' })
      expect(result.status).toBe(1)
      expect(result.stderr).toContain('src/core/planted-violation-for-test.ts: layer "core" may not import layer "state"')
    } finally {
      rmSync(planted)
    }
  })
})
