import type { BrokerContext } from '../broker-context.js'
import type { Topic } from '../topics.js'
import { invalidTopicName } from '../topics.js'

/** Returns the topic, creating it with the default partition count when auto-creation is on. */
export function topicOrAutoCreate(ctx: BrokerContext, name: string, allowed: boolean): Topic | undefined {
  const existing = ctx.topics.get(name)
  if (existing !== undefined || !allowed || !ctx.autoCreateTopics || invalidTopicName(name) !== null) return existing
  return ctx.topics.create(name, ctx.defaultPartitions, {})
}
