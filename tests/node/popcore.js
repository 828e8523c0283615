'use strict';
// @alicloud/pop-core (RPC, HMAC-SHA1) against a mock_ecs server: the CreateSnapshot scenario.
//
//   node tests/node/popcore.js http://127.0.0.1:PORT [GET|POST]
//
// GET: every parameter in the query string (the client's default); POST: every parameter,
// Signature included, in an application/x-www-form-urlencoded body. pop-core ignores the
// HTTP status and throws only when the body has a Code; its error carries .code, .data,
// .name, .message and .entry (the response's status code).
const RPCClient = require('@alicloud/pop-core').RPCClient;
const { REGION, IMAGE, INSTANCE_TYPE, AK, SECRET, args, snapshotScenario, finish } = require('./common');

const { url, mode } = args(['GET', 'POST']);
const client = new RPCClient({
  accessKeyId: AK,
  accessKeySecret: SECRET,
  endpoint: url,
  apiVersion: '2014-05-26',
  opts: { timeout: 10000 },
});
const opts = mode === 'POST' ? { method: 'POST' } : {};
const call = (action, params) => client.request(action, params, { ...opts });

// pop-core's own error fields, besides those common.js reads of every client.
function errorFields(err) {
  return { url: err.url, httpStatus: err.entry && err.entry.response ? err.entry.response.statusCode : null };
}

async function snapshotOf(diskId) {
  const out = await call('DescribeSnapshots', { RegionId: REGION, DiskId: diskId });
  const snap = out.Snapshots.Snapshot[0];
  return {
    totalCount: out.TotalCount,
    snapshotId: snap.SnapshotId,
    status: snap.Status,
    progress: snap.Progress,
    remainTime: snap.RemainTime,
    available: snap.Available,
    sourceDiskId: snap.SourceDiskId,
  };
}

finish(async () => {
  const run = await call('RunInstances', { RegionId: REGION, ImageId: IMAGE, InstanceType: INSTANCE_TYPE });
  const instanceId = run.InstanceIdSets.InstanceIdSet[0];
  const disks = (await call('DescribeDisks', { RegionId: REGION, InstanceId: instanceId })).Disks.Disk;
  const system = disks.find((d) => d.Type === 'system');
  const diskId = system.DiskId;

  // No RegionId, as pop-core users commonly call it.
  const createSnapshot = (id) => call('CreateSnapshot', { DiskId: id });
  const scenario = await snapshotScenario(url, diskId, { createSnapshot, snapshotOf, errorFields });
  const { created } = scenario;

  return {
    client: '@alicloud/pop-core',
    mode,
    instanceId,
    diskId,
    disk: { type: system.Type, size: system.Size, status: system.Status, category: system.Category },
    ...scenario,
    created: { snapshotId: created.SnapshotId, requestId: created.RequestId, keys: Object.keys(created).sort() },
  };
});
