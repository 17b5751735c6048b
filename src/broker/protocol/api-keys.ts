/**
 * The APIs this broker serves and the version ranges it advertises in ApiVersions: up to the
 * newest version of Kafka 3.9's schemas, from Kafka 4.0's baseline (KIP-896). Minimums matter:
 * librdkafka disables consumer groups unless FindCoordinator starts at 0 and idempotence unless
 * InitProducerId starts at 0, and Kafka 4.0 keeps both. docs/broker.md explains each range.
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeConfigs: 32,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
} as const

export interface ApiSpec {
  key: number
  /** Schema name without the Request/Response suffix. */
  name: string
  minVersion: number
  maxVersion: number
}

export const supportedApis: readonly ApiSpec[] = [
  { key: ApiKey.Produce, name: 'Produce', minVersion: 3, maxVersion: 11 },
  { key: ApiKey.Fetch, name: 'Fetch', minVersion: 4, maxVersion: 17 },
  { key: ApiKey.ListOffsets, name: 'ListOffsets', minVersion: 1, maxVersion: 9 },
  { key: ApiKey.Metadata, name: 'Metadata', minVersion: 0, maxVersion: 12 },
  // v9 of both is for KIP-848 consumer groups too; every group here is a classic group.
  { key: ApiKey.OffsetCommit, name: 'OffsetCommit', minVersion: 2, maxVersion: 9 },
  { key: ApiKey.OffsetFetch, name: 'OffsetFetch', minVersion: 1, maxVersion: 9 },
  // v6 adds share-group keys, refused with INVALID_REQUEST as by a Kafka without share groups.
  { key: ApiKey.FindCoordinator, name: 'FindCoordinator', minVersion: 0, maxVersion: 6 },
  { key: ApiKey.JoinGroup, name: 'JoinGroup', minVersion: 0, maxVersion: 9 },
  { key: ApiKey.Heartbeat, name: 'Heartbeat', minVersion: 0, maxVersion: 4 },
  { key: ApiKey.LeaveGroup, name: 'LeaveGroup', minVersion: 0, maxVersion: 5 },
  { key: ApiKey.SyncGroup, name: 'SyncGroup', minVersion: 0, maxVersion: 5 },
  { key: ApiKey.DescribeGroups, name: 'DescribeGroups', minVersion: 0, maxVersion: 5 },
  { key: ApiKey.ListGroups, name: 'ListGroups', minVersion: 0, maxVersion: 5 },
  // v0 is followed by raw SASL tokens, v1 by SaslAuthenticate requests (KIP-152).
  { key: ApiKey.SaslHandshake, name: 'SaslHandshake', minVersion: 0, maxVersion: 1 },
  { key: ApiKey.ApiVersions, name: 'ApiVersions', minVersion: 0, maxVersion: 4 },
  { key: ApiKey.CreateTopics, name: 'CreateTopics', minVersion: 2, maxVersion: 7 },
  { key: ApiKey.DeleteTopics, name: 'DeleteTopics', minVersion: 1, maxVersion: 6 },
  { key: ApiKey.DeleteRecords, name: 'DeleteRecords', minVersion: 0, maxVersion: 2 },
  // InitProducerId 5, AddOffsetsToTxn 4 and EndTxn 4 only tell the broker that the client
  // understands TRANSACTION_ABORTABLE (KIP-890), which Kafka 3.9's coordinator returns from
  // verification alone: from Produce 11+ and TxnOffsetCommit 4+, as here.
  { key: ApiKey.InitProducerId, name: 'InitProducerId', minVersion: 0, maxVersion: 5 },
  // v4+ batches transactions and can verify without adding; Kafka answers it from clients too
  // when no authorizer is set, and @platformatic/kafka and @kafkats/client prefer it.
  { key: ApiKey.AddPartitionsToTxn, name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 5 },
  { key: ApiKey.AddOffsetsToTxn, name: 'AddOffsetsToTxn', minVersion: 0, maxVersion: 4 },
  { key: ApiKey.EndTxn, name: 'EndTxn', minVersion: 0, maxVersion: 4 },
  { key: ApiKey.TxnOffsetCommit, name: 'TxnOffsetCommit', minVersion: 0, maxVersion: 4 },
  // 3-4 too: @platformatic/kafka's v2 parser expects the v3 fields, so it must be able to pick v4.
  { key: ApiKey.DescribeConfigs, name: 'DescribeConfigs', minVersion: 1, maxVersion: 4 },
  { key: ApiKey.SaslAuthenticate, name: 'SaslAuthenticate', minVersion: 0, maxVersion: 2 },
  { key: ApiKey.CreatePartitions, name: 'CreatePartitions', minVersion: 0, maxVersion: 3 },
  { key: ApiKey.DeleteGroups, name: 'DeleteGroups', minVersion: 0, maxVersion: 2 },
]

const byKey = new Map<number, ApiSpec>(supportedApis.map((api) => [api.key, api]))

export function apiSpec(key: number): ApiSpec | undefined {
  return byKey.get(key)
}
