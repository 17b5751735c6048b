import { ConfigError } from '../../src/core/errors.js'

export type SuiteMode = 'driver' | 'kafka'

/** The broker of kafka mode: the embedded one (in a process of its own), or a real Apache Kafka broker. */
export type SuiteCluster = 'embedded' | 'kafka'

export interface SuiteOptions {
  readonly quick: boolean
  /** Input records per run (both topics of a join together). */
  readonly records: number
  readonly warmups: number
  readonly repeats: number
  /**
   * Kafka-mode runs start a fresh broker process and instance each time, and the driver-mode runs
   * before them have already warmed this process's operator code: by default no warm-up, fewer runs.
   */
  readonly kafkaWarmups: number
  readonly kafkaRepeats: number
  readonly seed: number
  /** Empty: every scenario. */
  readonly scenarios: readonly string[]
  /** Empty: every variant of each scenario (e.g. inner and left). */
  readonly variants: readonly string[]
  readonly modes: readonly SuiteMode[]
  /**
   * `kafka`: kafka mode runs against Apache Kafka (single-node KRaft, from `npm run interop:setup`)
   * and each scenario runs in Kafka Streams too, side by side.
   */
  readonly cluster: SuiteCluster
  /** Where latest.json, latest.md and latest.svg go. */
  readonly outDir: string | undefined
  /**
   * `--peers`: also run the npm peer libraries (bench/suite/peers) on the workloads they support,
   * installed on demand into `.bench-peers/`, in kafka mode's setting.
   */
  readonly peers: boolean
}

export const USAGE = `Usage: npm run bench [-- options]
  --quick              fewer records and runs (about nine minutes, most of it waiting for
                       surge-pricing's and ride-history's last windows to close when idle)
  --scenario <name>    run only this scenario (repeat or comma-separate for several)
  --variant <name>     run only this variant of the scenarios (e.g. inner; comma-separate)
  --mode <mode>        driver, kafka or both (default both; comma-separate)
  --cluster <broker>   kafka mode's broker: embedded (default) or kafka, a real Apache Kafka broker
                       (single-node KRaft; run npm run interop:setup first), with Kafka Streams rows
                       of the same scenarios beside Tributary's
  --records <n>        input records per run (default 50000, quick 8000)
  --repeats <n>        measured runs per row after the warm-up (default 3, quick 2; kafka mode 2, quick 1)
  --warmups <n>        runs discarded before measuring (default 1; kafka mode 0)
  --seed <n>           data seed (default 42)
  --out <dir>          where to write latest.json, latest.md, latest.svg (default bench/results)
  --peers              also run the npm peer library (@kafkats/flow) on the workloads it supports
                       (window-count), in kafka mode; installed on first use into .bench-peers/`

function positiveInteger(flag: string, text: string | undefined, min = 1): number {
  const n = Number(text)
  if (text === undefined || !Number.isInteger(n) || n < min) throw new ConfigError(`${flag} needs an integer >= ${min}, got ${JSON.stringify(text)}.\n${USAGE}`)
  return n
}

/** Parses the command line; throws a ConfigError with the usage on anything it does not know. */
export function parseSuiteOptions(argv: readonly string[]): SuiteOptions | 'help' {
  let quick = false
  let records: number | undefined
  let repeats: number | undefined
  let warmups: number | undefined
  let seed = 42
  let outDir: string | undefined
  const scenarios: string[] = []
  const variants: string[] = []
  let modes: SuiteMode[] = ['driver', 'kafka']
  let cluster: SuiteCluster = 'embedded'
  let peers = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [flag, inline] = arg.includes('=') ? (arg.split(/=(.*)/s, 2) as [string, string]) : [arg, undefined]
    const value = (): string | undefined => inline ?? argv[++i]
    switch (flag) {
      case '--quick':
        quick = true
        break
      case '--peers':
        if (inline !== undefined) throw new ConfigError(`--peers takes no value, got ${JSON.stringify(inline)}.\n${USAGE}`)
        peers = true
        break
      case '--help':
      case '-h':
        return 'help'
      case '--scenario':
        scenarios.push(...(value() ?? '').split(',').filter((s) => s !== ''))
        break
      case '--variant':
        variants.push(...(value() ?? '').split(',').filter((s) => s !== ''))
        break
      case '--mode': {
        const list = (value() ?? '').split(',')
        if (list.length === 0 || list.some((m) => m !== 'driver' && m !== 'kafka')) {
          throw new ConfigError(`--mode takes driver, kafka or driver,kafka, got ${JSON.stringify(list.join(','))}.\n${USAGE}`)
        }
        modes = list as SuiteMode[]
        break
      }
      case '--cluster': {
        const broker = value()
        if (broker !== 'embedded' && broker !== 'kafka') throw new ConfigError(`--cluster takes embedded or kafka, got ${JSON.stringify(broker)}.\n${USAGE}`)
        cluster = broker
        break
      }
      case '--records':
        records = positiveInteger('--records', value(), 10)
        break
      case '--repeats':
        repeats = positiveInteger('--repeats', value())
        break
      case '--warmups':
        warmups = positiveInteger('--warmups', value(), 0)
        break
      case '--seed':
        seed = positiveInteger('--seed', value(), 0)
        break
      case '--out':
        outDir = value()
        if (outDir === undefined || outDir === '') throw new ConfigError(`--out needs a directory.\n${USAGE}`)
        break
      default:
        throw new ConfigError(`Unknown option ${JSON.stringify(arg)}.\n${USAGE}`)
    }
  }
  return {
    quick,
    records: records ?? (quick ? 8_000 : 50_000),
    warmups: warmups ?? 1,
    repeats: repeats ?? (quick ? 2 : 3),
    kafkaWarmups: warmups ?? 0,
    kafkaRepeats: repeats ?? (quick ? 1 : 2),
    seed,
    scenarios,
    variants,
    modes,
    cluster,
    outDir,
    peers,
  }
}
