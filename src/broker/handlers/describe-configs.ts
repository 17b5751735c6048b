import type { Handler, Message } from '../broker-context.js'
import { defaultTopicConfigs } from '../log/topic-config.js'
import { ErrorCode } from '../protocol/error-codes.js'

const TOPIC = 2
const BROKER = 4
/** Kafka's ConfigSource ids. */
const DYNAMIC_TOPIC_CONFIG = 1
const DEFAULT_CONFIG = 5

interface Resource {
  resourceType: number
  resourceName: string
  configurationKeys: string[] | null
}

/** DescribeConfigs v1-4 for topics (their overrides and defaults) and the broker (defaults). */
export const describeConfigs: Handler = (ctx, request) => {
  const includeSynonyms = (request.includeSynonyms as boolean | undefined) ?? false
  const results = (request.resources as Resource[]).map((r): Message => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName }
    let overrides: Record<string, string> = {}
    if (r.resourceType === TOPIC) {
      const topic = ctx.topics.get(r.resourceName)
      if (topic === undefined) {
        return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${r.resourceName} does not exist.`, configs: [] }
      }
      overrides = topic.configs
    } else if (r.resourceType === BROKER) {
      if (r.resourceName !== '' && r.resourceName !== String(ctx.nodeId)) {
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id ${r.resourceName}.`, configs: [] }
      }
    } else {
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}.`, configs: [] }
    }
    const all = { ...defaultTopicConfigs, ...overrides }
    const names = r.configurationKeys ?? Object.keys(all)
    const configs = names
      .filter((name) => name in all)
      .map((name) => {
        const overridden = name in overrides
        const source = overridden ? DYNAMIC_TOPIC_CONFIG : DEFAULT_CONFIG
        return {
          name,
          value: all[name],
          readOnly: false,
          isDefault: !overridden,
          configSource: source,
          isSensitive: false,
          synonyms: includeSynonyms ? [{ name, value: all[name], source }] : [],
        }
      })
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs }
  })
  return { throttleTimeMs: 0, results }
}
