'use strict';
// @alicloud/ecs20140526 (the Tea/darabonba client) against a mock_ecs server.
//
//   node tests/node/ecs_tea.js http://127.0.0.1:PORT [V3|v2]
//
// V3 is the client's default (ACS3-HMAC-SHA256, parameters in the query, action in the
// x-acs-action header); v2 is Config({signatureAlgorithm: "v2"}) (RPC HMAC-SHA1, Format=json).
// Errors are ClientError/ServerError with .code, .statusCode, .requestId, .data.
const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const { REGION, IMAGE, INSTANCE_TYPE, AK, SECRET, args, snapshotScenario, finish } = require('./common');

const { url, mode } = args(['V3', 'v2']);
const config = new $OpenApiUtil.Config({
  accessKeyId: AK,
  accessKeySecret: SECRET,
  regionId: REGION,
  endpoint: url.replace(/^http:\/\//, ''), // "127.0.0.1:PORT"
  protocol: 'http',
  readTimeout: 10000,
  connectTimeout: 10000,
  ...(mode === 'v2' ? { signatureAlgorithm: 'v2' } : {}),
});
const client = new Ecs.default(config);

// Tea's own error fields, besides those common.js reads of every client.
function errorFields(err) {
  return { statusCode: err.statusCode, requestId: err.requestId };
}

async function snapshotOf(diskId) {
  const resp = await client.describeSnapshots(new Ecs.DescribeSnapshotsRequest({ regionId: REGION, diskId }));
  const snap = resp.body.snapshots.snapshot[0];
  return {
    httpStatus: resp.statusCode,
    totalCount: resp.body.totalCount,
    snapshotId: snap.snapshotId,
    status: snap.status,
    progress: snap.progress,
    remainTime: snap.remainTime,
    available: snap.available,
    sourceDiskId: snap.sourceDiskId,
  };
}

finish(async () => {
  const run = await client.runInstances(new Ecs.RunInstancesRequest({
    regionId: REGION, imageId: IMAGE, instanceType: INSTANCE_TYPE,
  }));
  const instanceId = run.body.instanceIdSets.instanceIdSet[0];
  const disks = await client.describeDisks(new Ecs.DescribeDisksRequest({ regionId: REGION, instanceId }));
  const system = disks.body.disks.disk.find((d) => d.type === 'system');
  const diskId = system.diskId;

  // The typed CreateSnapshotRequest sends no RegionId: the region comes from the disk ID.
  const createSnapshot = (id) => client.createSnapshot(new Ecs.CreateSnapshotRequest({ diskId: id }));
  const scenario = await snapshotScenario(url, diskId, { createSnapshot, snapshotOf, errorFields });
  const { created } = scenario;

  return {
    client: '@alicloud/ecs20140526',
    mode,
    instanceId,
    diskId,
    disk: { type: system.type, size: system.size, status: system.status, category: system.category },
    ...scenario,
    created: {
      httpStatus: created.statusCode,
      snapshotId: created.body.snapshotId,
      requestId: created.body.requestId,
      isModel: created.body instanceof Ecs.CreateSnapshotResponseBody,
    },
  };
});
