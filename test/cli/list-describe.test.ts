import { describe, expect, it } from 'vitest'
import { createDescribeCommand } from '../../src/cli/commands/describe.js'
import { createListCommand } from '../../src/cli/commands/list.js'
import { runCli } from '../../src/cli/run-cli.js'
import { fakeTopology, secondFakeTopology } from './fake-topology.js'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err }
}

const topologies = [fakeTopology, secondFakeTopology]
const commands = [createListCommand(topologies), createDescribeCommand(topologies)]

describe('tributary list', () => {
  it('prints each topology with its one-line description, names aligned', async () => {
    const { io, out } = capture()
    expect(await runCli(['list'], io, undefined, commands)).toBe(0)
    expect(out[0]).toBe('ping-count  Counts pings per key and doubles each ping')
    expect(out[1]).toBe('echo        Copies every ping')
    expect(out.join('\n')).toContain('tributary run <name>')
  })

  it('says so when nothing is bundled, and rejects arguments', async () => {
    const a = capture()
    expect(await runCli(['list'], a.io, undefined, [createListCommand([])])).toBe(0)
    expect(a.out).toEqual(['No topologies are bundled with this build.'])
    const b = capture()
    expect(await runCli(['list', '--long'], b.io, undefined, commands)).toBe(2)
    expect(b.err).toHaveLength(1)
  })
})

describe('tributary describe', () => {
  it('prints topology.describe() by default and with --format text', async () => {
    const expected = fakeTopology.build({}).topology.describe()
    for (const argv of [['describe', 'ping-count'], ['describe', 'ping-count', '--format', 'text']]) {
      const { io, out } = capture()
      expect(await runCli(argv, io, undefined, commands)).toBe(0)
      expect(out).toEqual([expected])
    }
    expect(expected).toContain('pings')
    expect(expected).toContain('ping-counts')
  })

  it('prints the mermaid flowchart with --format mermaid', async () => {
    const { io, out } = capture()
    expect(await runCli(['describe', 'ping-count', '--format', 'mermaid'], io, undefined, commands)).toBe(0)
    expect(out).toEqual([fakeTopology.build({}).topology.toMermaid()])
    expect(out[0]).toMatch(/^(flowchart|graph) /)
  })

  it('rejects an unknown topology with one line naming the known ones, exit code 2', async () => {
    const { io, out, err } = capture()
    expect(await runCli(['describe', 'fleet-mop'], io, undefined, commands)).toBe(2)
    expect(out).toEqual([])
    expect(err).toEqual(['tributary describe: unknown topology "fleet-mop". Known topologies: ping-count, echo. Run "tributary list" to see what each does.'])
  })

  it('rejects a bad --format and a missing name with exit code 2', async () => {
    const a = capture()
    expect(await runCli(['describe', 'ping-count', '--format', 'svg'], a.io, undefined, commands)).toBe(2)
    expect(a.err).toEqual(['tributary describe: --format must be text or mermaid, got "svg".'])
    const b = capture()
    expect(await runCli(['describe'], b.io, undefined, commands)).toBe(2)
    expect(b.err[0]).toContain('name one topology')
  })
})

describe('the bundled topologies', () => {
  it('are registered by name, each with a description, and describe themselves as text and mermaid', async () => {
    const { bundledTopologies, findTopology } = await import('../../topologies/index.js')
    expect(bundledTopologies.map((t) => t.name)).toEqual(['fleet-map', 'surge-pricing', 'ride-history', 'ride-matching', 'repair-shop'])
    expect(findTopology('surge-pricing')?.name).toBe('surge-pricing')
    expect(findTopology('Surge-Pricing')).toBeUndefined()
    for (const bundled of bundledTopologies) {
      expect(bundled.description.length).toBeGreaterThan(10)
      const { io, out } = capture()
      expect(await runCli(['describe', bundled.name, '--format', 'mermaid'], io)).toBe(0)
      const built = bundled.build({ schemaRegistryUrl: 'http://127.0.0.1:8081' })
      expect(out).toEqual([built.topology.toMermaid()])
      // Every input and output topic appears in the diagram.
      for (const topic of [...built.inputs, ...built.outputs.map((o) => o.topic)]) expect(out[0]).toContain(`["${topic}"]`)
    }
  })
})
