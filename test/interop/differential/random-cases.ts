/**
 * The randomized run: every case kind in its variants (join types, tumbling or hopping, with and
 * without suppression), each with window sizes and grace periods drawn from the run seed, and
 * each over several input partitions, one seed each. Environment:
 * - TRIBUTARY_DIFF_RUN: the run seed (default: drawn at random and printed);
 * - TRIBUTARY_DIFF_SEEDS: comma-separated seeds to run alone (as a failure prints them);
 * - TRIBUTARY_DIFF_SEEDS_PER_CASE: input partitions of each case (default 10).
 */
import { CASE_KINDS, inputTopicsOf, outputTopicOf, repartitions, type CaseKind, type CaseSpec } from './scenarios/index.js'
import { seedOf } from './scenarios/text.js'
import { seedRecords } from './generator.js'
import type { DifferentialInput, DifferentialOutput } from './harness.js'
import { Prng } from './prng.js'

type Options = Record<string, string | number | boolean>

interface Variant {
  readonly kind: CaseKind
  readonly options: (rng: Prng) => Options
}

const grace = (rng: Prng): number => rng.pick([0, rng.int(1, 10), rng.int(10, 40)])

const timeWindows = (hopping: boolean, suppress: boolean) => (rng: Prng): Options => {
  const size = rng.int(5, 40)
  return { size, advance: hopping ? rng.int(1, size) : size, grace: grace(rng), suppress }
}

const joinWindows = (type: string) => (rng: Prng): Options => ({ type, before: rng.int(0, 24), after: rng.int(0, 24), grace: grace(rng) })

const VARIANTS: readonly Variant[] = [
  { kind: 'WindowedCount', options: (rng) => ({ ...timeWindows(false, false)(rng) }) },
  { kind: 'WindowedCount', options: (rng) => ({ ...timeWindows(true, false)(rng) }) },
  { kind: 'WindowedAggregate', options: timeWindows(false, false) },
  { kind: 'WindowedAggregate', options: timeWindows(false, true) },
  { kind: 'WindowedAggregate', options: timeWindows(true, true) },
  { kind: 'SessionAggregate', options: (rng) => ({ gap: rng.int(1, 20), grace: grace(rng), suppress: false }) },
  { kind: 'SessionAggregate', options: (rng) => ({ gap: rng.int(1, 20), grace: grace(rng), suppress: true }) },
  { kind: 'SlidingAggregate', options: (rng) => ({ difference: rng.int(1, 30), grace: grace(rng) }) },
  { kind: 'StreamStreamJoin', options: joinWindows('inner') },
  { kind: 'StreamStreamJoin', options: joinWindows('left') },
  { kind: 'StreamStreamJoin', options: joinWindows('outer') },
  { kind: 'StreamTableJoin', options: () => ({ type: 'inner' }) },
  { kind: 'StreamTableJoin', options: () => ({ type: 'left' }) },
  { kind: 'TableTableJoin', options: () => ({ type: 'inner' }) },
  { kind: 'TableTableJoin', options: () => ({ type: 'left' }) },
  { kind: 'TableTableJoin', options: () => ({ type: 'outer' }) },
  { kind: 'GroupedAggregate', options: () => ({ op: 'reduce' }) },
  { kind: 'GroupedAggregate', options: () => ({ op: 'aggregate' }) },
  { kind: 'GroupedAggregate', options: () => ({ op: 'count' }) },
  { kind: 'TableAggregate', options: (rng) => ({ groups: rng.int(2, 3) }) },
]

export interface RandomRun {
  readonly runSeed: number
  readonly cases: readonly CaseSpec[]
  /** Seed of each case's partition: `seeds.get(prefix)[partition]`. */
  readonly seeds: ReadonlyMap<string, readonly number[]>
  readonly inputs: readonly DifferentialInput[]
  readonly outputs: readonly DifferentialOutput[]
  readonly seedCount: number
}

export function randomRun(env: NodeJS.ProcessEnv = process.env): RandomRun {
  const runSeed = env['TRIBUTARY_DIFF_RUN'] !== undefined ? Number(env['TRIBUTARY_DIFF_RUN']) : Math.floor(Math.random() * 1_000_000)
  const perCase = Number(env['TRIBUTARY_DIFF_SEEDS_PER_CASE'] ?? 10)
  const only = env['TRIBUTARY_DIFF_SEEDS']?.split(',').filter(Boolean).map(Number)
  const rng = new Prng(runSeed)
  const cases: CaseSpec[] = []
  const seeds = new Map<string, number[]>()
  VARIANTS.forEach((variant, index) => {
    const options = variant.options(rng)
    // Seeds are numbered from the run seed so that every seed of every run is distinct and printable.
    const all = Array.from({ length: perCase }, (_, p) => runSeed * 1_000 + index * 100 + p)
    const chosen = only === undefined ? all : all.filter((seed) => only.includes(seed))
    if (chosen.length === 0) return
    const prefix = `c${index}-${variant.kind.toLowerCase()}`
    cases.push({ prefix, kind: variant.kind, options, partitions: chosen.length })
    seeds.set(prefix, chosen)
  })
  const inputs: DifferentialInput[] = []
  for (const spec of cases) {
    const roles = CASE_KINDS[spec.kind].inputs
    const maxJumpBack = 10 + Number(spec.options['grace'] ?? 20) + Number(spec.options['size'] ?? spec.options['gap'] ?? spec.options['difference'] ?? 10)
    seeds.get(spec.prefix)!.forEach((seed, partition) => {
      for (const r of seedRecords(seed, { roles, maxJumpBack, maxStep: 12 })) {
        inputs.push({ topic: `${spec.prefix}-${r.role}`, partition, key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), timestamp: r.timestamp })
      }
    })
  }
  const outputs = cases.map((spec): DifferentialOutput => ({
    name: outputTopicOf(spec),
    partitions: 4,
    // A case that regroups mixes a seed's records across tasks: only the order per key is given.
    groupOf: (key) => (key === null ? 'null' : repartitions(spec) ? key.toString('utf8') : seedOf(key.toString('utf8'))),
    describeGroup: (group) => `seed ${seedOf(group).slice(1)} (key ${group}) of case ${spec.prefix} ${spec.kind} ${JSON.stringify(spec.options)}; reproduce: TRIBUTARY_DIFF_RUN=${runSeed} TRIBUTARY_DIFF_SEEDS=${seedOf(group).slice(1)}`,
  }))
  return { runSeed, cases, seeds, inputs, outputs, seedCount: [...seeds.values()].reduce((n, s) => n + s.length, 0) }
}

export function inputTopicsOfRun(run: RandomRun): { name: string; partitions: number }[] {
  return run.cases.flatMap((spec) => inputTopicsOf(spec).map((name) => ({ name, partitions: spec.partitions })))
}
