import { createServer, type Server } from 'node:net'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { createRunCommand } from '../../src/cli/commands/run.js'
import { parseRunOptions } from '../../src/cli/run/run-options.js'
import { runCli } from '../../src/cli/run-cli.js'
import { failingTopology, fakeTopology, pingFeed } from './fake-topology.js'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err }
}

const dirs: string[] = []
const servers: Server[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

describe('tributary run (in process, a fake topology on the embedded broker)', () => {
  it('runs until --duration, shows status and samples, and sums up what was generated and produced', async () => {
    const feed = pingFeed()
    const { io, out, err } = capture()
    const run = createRunCommand({ topologies: [fakeTopology], cityFeed: feed.feed })
    const code = await runCli(['run', 'ping-count', '--duration', '5'], io, undefined, [run])
    const text = out.join('\n')
    expect(err).toEqual([])
    expect(code).toBe(0)
    expect(text).toMatch(/^Embedded Kafka broker on 127\.0\.0\.1:\d+ and schema registry on http:\/\/127\.0\.0\.1:\d+ \(data in .*, removed on exit\)\.$/m)
    expect(text).toContain('Running ping-count (at_least_once): reads pings; writes ping_counts, doubled_pings.')
    expect(text).toMatch(/^Live map: http:\/\/127\.0\.0\.1:\d+\/$/m)
    const stateDir = /^State in (.*) \(temporary, removed on exit\)\.$/m.exec(text)?.[1]
    expect(stateDir).toBeDefined()
    expect(text).toMatch(/^\[status\] 00:00:0\d (RUNNING|REBALANCING) {2}in [\d,]+\/s {2}out [\d,]+\/s {2}lag [\d,]+ {2}state [\d.]+ (B|KB|MB) {2}generated [\d,]+$/m)
    // A sample decodes the records with the output serdes: counts are numbers, doubled pings even.
    expect(text).toMatch(/^\[sample\] latest output records:$/m)
    expect(text).toMatch(/^ {2}(ping_counts {3}k[0-4] {2}\d+|doubled_pings {2}k[0-4] {2}n=\d*[02468])$/m)
    expect(text).toContain('Stopping (--duration 5 reached)...')
    const summary = text.slice(text.indexOf('Summary: '))
    expect(summary).toMatch(/^Summary: ping-count ran for \d+\.\d s \(at_least_once\); stopped: --duration 5 reached\.$/m)
    const generated = Number(/generated {2}([\d,]+) records \(pings [\d,]+\)/.exec(summary)?.[1]?.replace(/,/g, ''))
    expect(generated).toBe(feed.sent())
    // Every ping processed before the final commit produced one doubled ping; the counts go through
    // the record cache, which forwards each of the five keys at most once per commit (every second).
    const doubled = Number(/doubled_pings ([\d,]+)/.exec(summary)?.[1]?.replace(/,/g, ''))
    const counts = Number(/ping_counts ([\d,]+)/.exec(summary)?.[1]?.replace(/,/g, ''))
    expect(doubled).toBeGreaterThan(0)
    expect(doubled).toBeLessThanOrEqual(generated)
    expect(counts).toBeGreaterThanOrEqual(5)
    expect(counts).toBeLessThan(doubled)
    // The runtime's own count of processed records covers at least what reached the outputs.
    const processed = Number(/processed {2}([\d,]+) input records/.exec(summary)?.[1]?.replace(/,/g, ''))
    expect(processed).toBeGreaterThanOrEqual(doubled)
    expect(processed).toBeLessThanOrEqual(generated)
    expect(summary).toContain(`state      ${stateDir} (temporary, removed)`)
    expect(existsSync(stateDir!)).toBe(false)
  })

  it('keeps state where --state-dir says, skips the generator with --no-generate, and stops on abort', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-cli-run-'))
    dirs.push(stateDir)
    const { io, out } = capture()
    const run = createRunCommand({ topologies: [fakeTopology], cityFeed: pingFeed().feed })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 1_500)
    const code = await runCli(['run', 'ping-count', '--no-generate', '--state-dir', stateDir, '--no-http'], io, controller.signal, [run])
    const text = out.join('\n')
    expect(code).toBe(0)
    expect(text).not.toContain('Live map')
    expect(text).not.toContain('Generating')
    expect(text).toContain('No generator (--no-generate)')
    expect(text).toContain('Stopping (interrupted)...')
    expect(text).toContain('generated  nothing (--no-generate)')
    expect(text).toContain('produced   0 records')
    expect(text).toContain(`state      ${join(stateDir, 'ping-count')}\n`.trimEnd())
    expect(existsSync(join(stateDir, 'ping-count'))).toBe(true)
  })
})

describe('tributary run --brokers (a cluster of its own)', () => {
  it('starts no broker, creates the missing topics, feeds the cluster and leaves it running', async () => {
    const kafka = await EmbeddedKafka.start({ autoCreateTopics: false })
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-cli-run-'))
    dirs.push(stateDir)
    try {
      const feed = pingFeed()
      const { io, out, err } = capture()
      const run = createRunCommand({ topologies: [fakeTopology], cityFeed: feed.feed })
      expect(await runCli(['run', 'ping-count', '--brokers', kafka.bootstrapServers, '--state-dir', stateDir, '--duration', '3'], io, undefined, [run])).toBe(0)
      const text = out.join('\n')
      expect(err).toEqual([])
      expect(text).not.toContain('Embedded Kafka broker')
      expect(text).toContain('Created topics pings, ping_counts, doubled_pings (3 partitions each).')
      expect(text).toContain(`State in ${join(stateDir, 'ping-count')}.`)
      expect(text).toMatch(/generated {2}[\d,]+ records \(pings [\d,]+\)/)
      // The cluster is the user's: still there after the run.
      const { createKafkaClients } = await import('../../src/kafka/index.js')
      const admin = createKafkaClients({ bootstrapServers: [kafka.bootstrapServers], clientId: 'check', applicationId: 'check' }).admin()
      try {
        expect([...(await admin.describeTopics(['pings', 'ping_counts'])).keys()].sort()).toEqual(['ping_counts', 'pings'])
      } finally {
        await admin.close()
      }
    } finally {
      await kafka.close()
    }
  })
})

describe('tributary run errors: one line, non-zero exit', () => {
  it('the application failing: the run stops, sums up, and says why on one line with exit 1', async () => {
    const { io, out, err } = capture()
    const run = createRunCommand({ topologies: [failingTopology], cityFeed: pingFeed().feed })
    expect(await runCli(['run', 'ping-bomb', '--duration', '30'], io, undefined, [run])).toBe(1)
    expect(out.join('\n')).toContain('Stopping (the application failed)...')
    expect(out.join('\n')).toMatch(/^Summary: ping-bomb ran for [\d.]+ s \(at_least_once\); stopped: the application failed\.$/m)
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(/^tributary run: .*ping 50 is not welcome/)
  })


  const run = createRunCommand({ topologies: [fakeTopology], cityFeed: pingFeed().feed })

  it('an unknown topology: exit 2, naming the known ones', async () => {
    const { io, err } = capture()
    expect(await runCli(['run', 'fleet-mop'], io, undefined, [run])).toBe(2)
    expect(err).toEqual(['tributary run: unknown topology "fleet-mop". Known topologies: ping-count. Run "tributary list" to see what each does.'])
  })

  it('bad flags: exit 2', async () => {
    for (const [argv, message] of [
      [['run', 'ping-count', '--guarantee', 'exactly_once'], '--guarantee must be at_least_once or exactly_once_v2'],
      [['run', 'ping-count', '--watermarks', 'flink'], '--watermarks must be off or upstream'],
      [['run', 'ping-count', '--duration', 'ten'], '--duration must be a number of seconds > 0'],
      [['run', 'ping-count', '--brokers', 'localhost'], '--brokers takes host:port'],
      [['run', 'ping-count', '--rate', '0'], '--rate must be an integer >= 1'],
      [['run', 'ping-count', '--frobnicate'], "Unknown option '--frobnicate'"],
      [['run'], 'name the topology to run'],
    ] as const) {
      const { io, err } = capture()
      expect(await runCli(argv, io, undefined, [run])).toBe(2)
      expect(err).toHaveLength(1)
      expect(err[0]).toContain(message)
    }
  })

  it('an unreachable broker: exit 1 with the address and a hint', async () => {
    const { io, err } = capture()
    expect(await runCli(['run', 'ping-count', '--brokers', '127.0.0.1:1'], io, undefined, [run])).toBe(1)
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(/^tributary run: cannot reach Kafka at 127\.0\.0\.1:1 \(.*\)\. Is a broker running there\? .*npx tributary broker.*leave out --brokers/)
  })

  it('a port in use: exit 1 saying which and what to do', async () => {
    const server = createServer()
    servers.push(server)
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))
    const { io, err } = capture()
    expect(await runCli(['run', 'ping-count', '--port', String(port)], io, undefined, [run])).toBe(1)
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(new RegExp(`^tributary run: cannot start the embedded Kafka broker: .*${port}.*Use --port 0`))
  })

  it('the live map\'s port in use: exit 1 saying which and what to do', async () => {
    const server = createServer()
    servers.push(server)
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))
    const { io, err } = capture()
    expect(await runCli(['run', 'ping-count', '--no-generate', '--http-port', String(port)], io, undefined, [run])).toBe(1)
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(new RegExp(`^tributary run: cannot serve the live map on port ${port}: .*Use --http-port 0 to pick a free port, or --no-http\\.$`))
  })

  it('parses every flag', () => {
    const options = parseRunOptions(['fleet-map', '--brokers', 'a:1,b:2', '--registry', 'http://r:8081', '--state-dir', 's', '--guarantee', 'exactly_once_v2',
      '--watermarks', 'upstream', '--rate', '50', '--duration', '2.5', '--no-generate', '--seed', '7', '--drivers', '3', '--riders', '4'])
    expect(options).toEqual({
      topologies: ['fleet-map'], brokers: ['a:1', 'b:2'], registryUrl: 'http://r:8081', stateDir: 's', dataDir: undefined, port: 0, registryPort: 0, brokerDurability: {},
      guarantee: 'exactly_once_v2', watermarks: 'upstream', rate: 50, durationS: 2.5, generate: false, seed: 7, drivers: 3, riders: 4, httpPort: 0, tiles: undefined,
      access: { kafka: {}, registry: undefined },
    })
  })

  it('takes several topologies, the map\'s port and basemap, or no map at all', () => {
    const options = parseRunOptions(['fleet-map', 'surge-pricing', 'ride-matching', '--http-port', '8088', '--tiles', 'https://tile.example.org/{z}/{x}/{y}.png'])
    expect(options.topologies).toEqual(['fleet-map', 'surge-pricing', 'ride-matching'])
    expect(options.httpPort).toBe(8088)
    expect(options.tiles).toBe('https://tile.example.org/{z}/{x}/{y}.png')
    expect(parseRunOptions(['fleet-map', '--no-http']).httpPort).toBeUndefined()
    expect(() => parseRunOptions(['fleet-map', 'fleet-map'])).toThrow(/"fleet-map" is named twice/)
    expect(() => parseRunOptions(['fleet-map', '--no-http', '--http-port', '1'])).toThrow(/contradict/)
    expect(() => parseRunOptions(['fleet-map', '--tiles', 'https://tiles.example.org/a.png'])).toThrow(/\{z\}, \{x\} and \{y\}/)
    expect(() => parseRunOptions(['fleet-map', '--http-port', '70000'])).toThrow(/between 0 and 65535/)
  })
})

describe("tributary run and a topology's own settings", () => {
  const upstream = { ...fakeTopology, config: { watermarks: 'upstream' } } as const

  it.each([
    [[] as string[], 'Running ping-count (at_least_once, upstream watermarks): reads pings'],
    [['--watermarks', 'off'], 'Running ping-count (at_least_once): reads pings'],
  ])('runs a topology meant for upstream watermarks with them unless --watermarks says otherwise (%j)', async (flags, line) => {
    const { io, out, err } = capture()
    const run = createRunCommand({ topologies: [upstream], cityFeed: pingFeed().feed })
    const code = await runCli(['run', 'ping-count', '--duration', '2', '--no-http', ...flags], io, undefined, [run])
    expect(err).toEqual([])
    expect(code).toBe(0)
    expect(out.join('\n')).toContain(line)
  })
})
