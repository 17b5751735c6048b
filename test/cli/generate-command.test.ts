import { afterEach, describe, expect, it } from 'vitest'
import { generateCommand } from '../../src/cli/commands/generate.js'
import type { CliIo } from '../../src/cli/io.js'
import { runCli } from '../../src/cli/run-cli.js'
import { simulateCity } from '../../topologies/generator/index.js'
import { readAll, startKafka, type KafkaFixture } from '../kafka/fixtures.js'

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text) }
}

const generate = (args: string[], io: CliIo, signal?: AbortSignal): Promise<number> => runCli(['generate', ...args], io, signal, [generateCommand])

let kafka: KafkaFixture | undefined
afterEach(async () => {
  await kafka?.close()
  kafka = undefined
})

describe('tributary generate', () => {
  it('creates the topics and sends the simulated city to a broker, the same city as simulateCity', async () => {
    kafka = await startKafka('generate-test')
    const io = capture()
    const code = await generate(
      ['--brokers', kafka.broker.bootstrapServers, '--fast', '--duration', '5', '--drivers', '6', '--riders', '20', '--seed', '3', '--duplicates', '0.1'],
      io,
    )
    expect(io.stderr).toEqual([])
    expect(code).toBe(0)
    const summary = io.stdout.find((line) => line.startsWith('Sent '))!
    const startMs = Date.parse(/Event times start at (\S+)\./.exec(io.stdout.join('\n'))![1]!)
    const expected = [...simulateCity({ seed: 3, drivers: 6, riders: 20, durationS: 5, duplicateFraction: 0.1, startMs })]
    expect(summary).toContain(`Sent ${expected.length} records`)

    const admin = kafka.track(kafka.clients.admin())
    const partitions = await admin.describeTopics(['vehicle_locations', 'driver_profiles', 'rider_profiles', 'ride_requests', 'tickets'])
    expect(Object.fromEntries(partitions)).toEqual({ vehicle_locations: 3, driver_profiles: 3, rider_profiles: 3, ride_requests: 3 })

    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const pings: { key: string; value: unknown; timestamp: number }[] = []
    for (const partition of [0, 1, 2]) {
      for (const record of await readAll(reader, 'vehicle_locations', partition)) {
        pings.push({ key: record.key!.toString(), value: JSON.parse(record.value!.toString()), timestamp: record.timestamp })
      }
    }
    const byTime = (a: { timestamp: number; key: string }, b: { timestamp: number; key: string }): number => a.timestamp - b.timestamp || a.key.localeCompare(b.key)
    const expectedPings = expected.filter((r) => r.topic === 'vehicle_locations').map(({ key, value, timestamp }) => ({ key: key as string, value, timestamp }))
    expect(pings.sort(byTime)).toEqual(expectedPings.sort(byTime))

    const profiles = (await Promise.all([0, 1, 2].map((p) => readAll(reader, 'driver_profiles', p)))).flat()
    expect(profiles.length).toBe(expected.filter((r) => r.topic === 'driver_profiles').length)
    expect(JSON.parse(profiles[0]!.key!.toString())).toEqual({ id: expect.stringMatching(/^driver-/) })
    expect(JSON.parse(profiles[0]!.value!.toString())).toMatchObject({ op: 'r', source: { connector: 'postgresql' } })
  })

  it('starts an embedded broker and registry when no --brokers is given, and sends the repair shop too', async () => {
    const io = capture()
    const code = await generate(['--fast', '--duration', '5', '--drivers', '3', '--riders', '10', '--repair-shop', '--seed', '5'], io)
    expect(io.stderr).toEqual([])
    expect(code).toBe(0)
    const output = io.stdout.join('\n')
    expect(output).toMatch(/No --brokers given: started an embedded broker on 127\.0\.0\.1:\d+/)
    expect(output).toMatch(/embedded schema registry on http:\/\/127\.0\.0\.1:\d+/)
    const tickets = [...simulateCity({ seed: 5, drivers: 3, riders: 10, durationS: 5, repairShop: true })].filter((r) => r.topic === 'tickets')
    expect(output).toContain(`tickets ${tickets.length}`)
  })

  it('stops cleanly when interrupted in real time', async () => {
    kafka = await startKafka('generate-abort')
    const io = capture()
    const controller = new AbortController()
    const running = generate(['--brokers', kafka.broker.bootstrapServers, '--duration', '600', '--drivers', '4', '--riders', '10'], io, controller.signal)
    setTimeout(() => controller.abort(), 1500)
    expect(await running).toBe(0)
    const summary = io.stdout.find((line) => line.startsWith('Stopped after sending'))
    expect(summary).toBeDefined()
    const sent = Number(/vehicle_locations (\d+)/.exec(summary!)![1])
    // About one simulated second per wall second: far from the 600 s asked for.
    expect(sent).toBeGreaterThan(0)
    expect(sent).toBeLessThan(4 * 60)
  })

  it('rejects bad flags with one line and exit code 2', async () => {
    for (const [args, message] of [
      [['--late', '2'], '--late must be a fraction between 0 and 1'],
      [['--drivers', 'many'], '--drivers must be an integer >= 0'],
      [['--rate', '0'], '--rate must be a number of records per second > 0'],
      [['--brokers', 'nowhere'], '--brokers must be host:port'],
      [['--brokers', '127.0.0.1:9092', '--repair-shop'], 'needs --registry'],
      [['--speed', '3'], 'Unknown option'],
    ] as const) {
      const io = capture()
      expect(await generate([...args], io)).toBe(2)
      expect(io.stderr).toHaveLength(1)
      expect(io.stderr[0]).toContain(message)
    }
  })

  it('fails with one line and exit code 1 when the broker is unreachable', async () => {
    const io = capture()
    expect(await generate(['--brokers', '127.0.0.1:1', '--fast', '--duration', '1', '--drivers', '1', '--riders', '1'], io)).toBe(1)
    expect(io.stderr).toHaveLength(1)
    expect(io.stderr[0]).toMatch(/^tributary generate: Cannot create the city's topics on 127\.0\.0\.1:1 \(is a broker running there\?\): .+\.$/)
  })
})
