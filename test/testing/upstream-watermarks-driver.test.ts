import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import { TopologyTestDriver, type TopologyTestDriverOptions } from '../../src/testing/index.js'
import type { Windowed } from '../../src/core/windowed.js'
import { WATERMARK_MARKER_HEADER } from '../../src/engine/index.js'

const MINUTE = 60_000
const s = Serdes.string()

/** Pings of drivers re-keyed by zone, counted per zone and tumbling minute (grace 2 s), final results only. */
function zoneMinuteCounts() {
  const b = new StreamsBuilder()
  b.stream<string, string>('pings', { keySerde: s, valueSerde: s })
    .groupBy((_driver, zone) => zone, { keySerde: s, valueSerde: s, name: 'by-zone' })
    .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 2_000))
    .count()
    .suppress(Suppressed.untilWindowCloses())
    .toStream()
    .map((window: Windowed<string>, count: number): [string, number] => [`${window.key}@${window.window.start}`, count])
    .to('counts', { keySerde: s, valueSerde: Serdes.json<number>() })
  return b.build()
}

function start(options: TopologyTestDriverOptions) {
  const driver = new TopologyTestDriver(zoneMinuteCounts(), options)
  driver.declareTopic('pings', { partitions: 2 })
  const pings = driver.createInputTopic('pings', s, s)
  const counts = driver.createOutputTopic('counts', s, Serdes.json<number>())
  return { driver, pings, counts }
}

/** Partition 0 runs ten minutes ahead of partition 1, both counting zone z in every minute. */
async function pipeRacingPartitions(pings: ReturnType<typeof start>['pings']) {
  for (let minute = 0; minute < 10; minute++) await pings.pipeInput('fast', 'z', minute * MINUTE + 1_000, {}, 0)
  for (let minute = 0; minute < 10; minute++) await pings.pipeInput('slow', 'z', minute * MINUTE + 2_000, {}, 1)
}

describe('TopologyTestDriver with upstream watermarks', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(() => driver?.close())

  it("'off' (the default) keeps Kafka Streams' semantics: a partition racing ahead closes the windows of the slower one", async () => {
    const env = start({})
    driver = env.driver
    await pipeRacingPartitions(env.pings)
    const out = env.counts.readKeyValuesToMap()
    // The fast partition's 9:01 closed minutes 0-7 with only its own pings: the slow partition's pings
    // of those minutes were late. Minute 8 was still open (until 9:02) and counts both.
    expect(out).toEqual(new Map([...Array.from({ length: 8 }, (_, m) => [`z@${m * MINUTE}`, 1] as const), [`z@${8 * MINUTE}`, 2]]))
    expect(driver.metrics().droppedRecordsByReason.late).toBe(8)
  })

  it("'upstream' holds the windows until every writer has passed them: each minute counts both partitions", async () => {
    const env = start({ watermarks: 'upstream' })
    driver = env.driver
    await pipeRacingPartitions(env.pings)
    const out = env.counts.readKeyValuesToMap()
    // The event time is the slower writer's, then the fast one's 9:01: minute 8 is not closed yet.
    expect(out).toEqual(new Map(Array.from({ length: 8 }, (_, m) => [`z@${m * MINUTE}`, 2])))
    expect(driver.metrics().droppedRecordsByReason.late).toBe(0)
  })

  it('under upstream watermarks the last minute comes out once every input has been idle for idleTimeoutMs (default 30 s)', async () => {
    const env = start({ watermarks: 'upstream' })
    driver = env.driver
    await pipeRacingPartitions(env.pings)
    env.counts.readKeyValuesToMap()
    await driver.advanceWallClockTime(29_999)
    expect(env.counts.isEmpty()).toBe(true)
    // Idle now: the slow partition no longer holds the event time at 9:01, it is 9:02 and minute 8 closes.
    await driver.advanceWallClockTime(1)
    expect(env.counts.readKeyValuesToMap()).toEqual(new Map([[`z@${8 * MINUTE}`, 2]]))
    // From there it follows the wall clock: minute 9 closes at 10:02, a minute later.
    await driver.advanceWallClockTime(59_000)
    expect(env.counts.isEmpty()).toBe(true)
    await driver.advanceWallClockTime(1_000)
    expect(env.counts.readKeyValuesToMap()).toEqual(new Map([[`z@${9 * MINUTE}`, 2]]))
  })

  it('a partition that never gets a record stops holding the others back once idle', async () => {
    const env = start({ watermarks: 'upstream', idleTimeoutMs: 5_000 })
    driver = env.driver
    for (let minute = 0; minute < 3; minute++) await env.pings.pipeInput('fast', 'z', minute * MINUTE + 1_000, {}, 0)
    expect(env.counts.isEmpty()).toBe(true)
    await driver.advanceWallClockTime(5_000)
    // Partition 1 is idle, and partition 0 too (no record since): the event time is 2:01, then runs
    // with the wall clock. Minute 0 closed; minute 1 closes at 2:02.
    expect(env.counts.readKeyValuesToMap()).toEqual(new Map([[`z@0`, 1]]))
    // A new ping wakes partition 0 up; partition 1 stays idle and holds nothing back.
    await env.pings.pipeInput('fast', 'z', 3 * MINUTE + 1_000, {}, 0)
    expect(env.counts.readKeyValuesToMap()).toEqual(new Map([[`z@${MINUTE}`, 1]]))
  })

  it("markers left in a repartition topic by a run on upstream watermarks are skipped by one on 'off', not taken for records", async () => {
    const env = start({})
    driver = env.driver
    const repartition = driver.createInputTopic('topology-test-driver-by-zone-repartition', s, s)
    await repartition.pipeInput(null, null, 1_000, { [WATERMARK_MARKER_HEADER]: Buffer.from('0_0/2@1000') })
    expect(driver.metrics().droppedRecords).toBe(0)
    // A record without key or value that is no marker is one: dropped for its null key.
    await repartition.pipeInput(null, null, 1_000)
    expect(driver.metrics().droppedRecordsByReason['null-key']).toBe(1)
  })

  it('repartition topics carry no watermark header or marker into what processors and outputs see', async () => {
    const env = start({ watermarks: 'upstream' })
    driver = env.driver
    await pipeRacingPartitions(env.pings)
    for (const record of env.counts.readRecordsToList()) expect(Object.keys(record.headers)).toEqual([])
  })
})

/** Requests re-keyed by rider (through a repartition topic) left-joined with rider confirmations within 10 s. */
function requestsLeftJoinConfirmations() {
  const b = new StreamsBuilder()
  const confirmations = b.stream<string, string>('confirmations', { keySerde: s, valueSerde: s })
  b.stream<string, string>('requests', { keySerde: s, valueSerde: s })
    .selectKey((_request, rider) => rider)
    .leftJoin(confirmations, (request, confirmation) => `${request}+${confirmation ?? 'none'}`, JoinWindows.ofTimeDifferenceWithNoGrace(10_000), {
      keySerde: s, valueSerde: s, otherValueSerde: s, name: 'requests-confirmed',
    })
    .to('confirmed', { keySerde: s, valueSerde: s })
  return b.build()
}

describe('a stream-stream left join behind a repartition', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(() => driver?.close())

  async function run(options: TopologyTestDriverOptions) {
    driver = new TopologyTestDriver(requestsLeftJoinConfirmations(), options)
    driver.declareTopic('requests', { partitions: 2 })
    const requests = driver.createInputTopic('requests', s, s)
    const confirmations = driver.createInputTopic('confirmations', s, s)
    const confirmed = driver.createOutputTopic('confirmed', s, s)
    // The requests' partition 0 runs 100 s ahead of partition 1.
    await requests.pipeInput('request-x', 'rider-x', 100_000, {}, 0)
    await requests.pipeInput('request-y', 'rider-y', 5_000, {}, 1)
    await confirmations.pipeInput('rider-y', 'ok', 6_000)
    return { confirmed }
  }

  it("'off': the fast partition closes the slow one's join window, which comes out unjoined", async () => {
    const { confirmed } = await run({})
    expect(confirmed.readKeyValuesToList()).toEqual([['rider-y', 'rider-y+none']])
  })

  it("'upstream': the slow partition's request is joined, and the fast one's comes out unjoined once its window has closed by event time", async () => {
    const { confirmed } = await run({ watermarks: 'upstream' })
    expect(confirmed.readKeyValuesToList()).toEqual([['rider-y', 'rider-y+ok']])
    await driver!.advanceWallClockTime(30_000)
    // Idle: the event time follows the wall clock from 100 s; request-x's window closes at 110 s.
    await driver!.advanceWallClockTime(9_000)
    expect(confirmed.isEmpty()).toBe(true)
    await driver!.advanceWallClockTime(2_000)
    expect(confirmed.readKeyValuesToList()).toEqual([['rider-x', 'rider-x+none']])
  })
})
