import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundledTopologies } from '../../topologies/index.js'

const doc = readFileSync(resolve(import.meta.dirname, '../../docs/topologies.md'), 'utf8')

/** The body of the first mermaid block after the topology's `## <name>` heading. */
function documentedDiagram(name: string): string | undefined {
  const section = doc.split(/^## /m).find((s) => s.startsWith(`${name}\n`))
  return section === undefined ? undefined : /```mermaid\n([\s\S]*?)\n```/.exec(section)?.[1]
}

describe('docs/topologies.md', () => {
  it('has a section for every bundled topology with its current diagram', () => {
    for (const bundled of bundledTopologies) {
      const current = bundled.build({ schemaRegistryUrl: 'http://127.0.0.1:8081' }).topology.toMermaid().trimEnd()
      expect(documentedDiagram(bundled.name), `docs/topologies.md shows an outdated diagram of ${bundled.name}: ` +
        `replace the mermaid block of its section with the output of "npx tributary describe ${bundled.name} --format mermaid"`).toBe(current)
      expect(doc).toContain(`npx tributary run ${bundled.name}`)
    }
  })
})
