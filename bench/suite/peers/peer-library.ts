/**
 * The npm peers `--peers` measures beside Tributary: stream-processing libraries for Node.js with
 * windowed aggregation, installed on demand (never a dependency of the project) and run in a
 * process of their own against the same broker, records and phases as Tributary's kafka mode.
 */

/** One peer library: what to install, and which workloads it can run. */
export interface PeerLibrary {
  /** The npm package, installed at exactly `version`. */
  readonly packageName: string
  readonly version: string
  /** The module (bench/suite/peers/…) whose `serveChild` program runs a workload with the library. */
  readonly program: URL
  /** Whether the library can compute `scenario`/`variant` the way Tributary's row does; otherwise the peer has no row there. */
  supports(scenario: string, variant: string): boolean
}

/**
 * @kafkats/flow: a Kafka Streams-like DSL in TypeScript over its own protocol client (no native
 * code), with tumbling, hopping, sliding and session windows, joins and changelog-backed stores.
 * The closest npm peer found that installs without native builds and speaks the record-batch
 * format the embedded broker serves (kafka-streams of nodefluent needs either kafka-node, which
 * writes the pre-0.11 message format, or node-rdkafka, a native build for Node.js 12 at most).
 * Its tumbling windows have no grace period and no suppression, so the workload it runs is the
 * unsuppressed count per key and minute (window-count).
 */
export const KAFKATS_FLOW: PeerLibrary = {
  packageName: '@kafkats/flow',
  version: '0.12.0',
  program: new URL('./kafkats-flow-app.js', import.meta.url),
  supports: (scenario, variant) => scenario === 'window-count' && variant === 'tumbling-1m',
}

/** Every peer of `--peers`. */
export const PEER_LIBRARIES: readonly PeerLibrary[] = [KAFKATS_FLOW]

/** How a peer's row is named in the report: `npm:<package>@<version>`. */
export function peerTargetName(peer: Pick<PeerLibrary, 'packageName' | 'version'>): `npm:${string}` {
  return `npm:${peer.packageName}@${peer.version}`
}
