import type { Handler } from '../broker-context.js'
import { ApiKey } from '../protocol/api-keys.js'
import { addOffsetsToTxn } from './add-offsets-to-txn.js'
import { addPartitionsToTxn } from './add-partitions-to-txn.js'
import { apiVersions } from './api-versions.js'
import { createPartitions } from './create-partitions.js'
import { createTopics } from './create-topics.js'
import { deleteRecords } from './delete-records.js'
import { deleteTopics } from './delete-topics.js'
import { describeConfigs } from './describe-configs.js'
import { endTxn } from './end-txn.js'
import { fetch } from './fetch.js'
import { findCoordinator } from './find-coordinator.js'
import { initProducerId } from './init-producer-id.js'
import { listOffsets } from './list-offsets.js'
import { metadata } from './metadata.js'
import { produce } from './produce.js'
import { saslAuthenticate } from './sasl-authenticate.js'
import { saslHandshake } from './sasl-handshake.js'
import { txnOffsetCommit } from './txn-offset-commit.js'

/** The broker's own APIs by key; group APIs go to the group coordinator instead. */
export const handlers: Partial<Record<number, Handler>> = {
  [ApiKey.Produce]: produce,
  [ApiKey.Fetch]: fetch,
  [ApiKey.ListOffsets]: listOffsets,
  [ApiKey.Metadata]: metadata,
  [ApiKey.FindCoordinator]: findCoordinator,
  [ApiKey.ApiVersions]: apiVersions,
  [ApiKey.CreateTopics]: createTopics,
  [ApiKey.DeleteTopics]: deleteTopics,
  [ApiKey.DeleteRecords]: deleteRecords,
  [ApiKey.InitProducerId]: initProducerId,
  [ApiKey.DescribeConfigs]: describeConfigs,
  [ApiKey.CreatePartitions]: createPartitions,
  [ApiKey.AddPartitionsToTxn]: addPartitionsToTxn,
  [ApiKey.AddOffsetsToTxn]: addOffsetsToTxn,
  [ApiKey.EndTxn]: endTxn,
  [ApiKey.TxnOffsetCommit]: txnOffsetCommit,
  [ApiKey.SaslHandshake]: saslHandshake,
  [ApiKey.SaslAuthenticate]: saslAuthenticate,
}
