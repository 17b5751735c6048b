import type { Handler, Message } from '../broker-context.js'
import { configSourceOf, ConfigSource } from '../log/topic-config.js'
import { ErrorCode } from '../protocol/error-codes.js'

const TOPIC = 2
const BROKER = 4

interface Resource {
  resourceType: number
  resourceName: string
  configurationKeys: string[] | null
}

/**
 * DescribeConfigs v1-4 for topics (their overrides and defaults) and the broker (defaults). A
 * default the broker's options set (flush.messages and flush.ms) is a static broker config.
 */
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
    const defaults = ctx.topics.configDefaults
    const all = { ...defaults, ...overrides }
    const names = r.configurationKeys ?? Object.keys(all)
    const configs = names
      .filter((name) => name in all)
      .map((name) => {
        const source = configSourceOf(name, overrides, defaults)
        return {
          name,
          value: all[name],
          readOnly: false,
          isDefault: source === ConfigSource.DEFAULT_CONFIG,
          configSource: source,
          isSensitive: false,
          synonyms: includeSynonyms ? [{ name, value: all[name], source }] : [],
        }
      })
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs }
  })
  return { throttleTimeMs: 0, results }
}
