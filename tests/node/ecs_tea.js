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
const { REGION, IMAGE, INSTANCE_TYPE, AK, SECRET, WINDOW, args, advance, failure, finish } = require('./common');

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

function describe(err) {
  return {
    thrown: true,
    isError: err instanceof Error,
    name: err.name,
    code: err.code,
    statusCode: err.statusCode,
    requestId: err.requestId,
    message: err.message,
    data: err.data,
  };
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
  const initializing = await failure(() => createSnapshot(diskId), describe);
  const clock = await advance(url, WINDOW);
  const created = await createSnapshot(diskId);
  const progressing = await snapshotOf(diskId);
  const halfway = (await advance(url, 30), await snapshotOf(diskId));
  const accomplished = (await advance(url, 30), await snapshotOf(diskId));
  const notFound = await failure(() => createSnapshot('d-bp1missing0000000000'), describe);

  return {
    client: '@alicloud/ecs20140526',
    mode,
    instanceId,
    diskId,
    disk: { type: system.type, size: system.size, status: system.status, category: system.category },
    initializing,
    clock,
    created: {
      httpStatus: created.statusCode,
      snapshotId: created.body.snapshotId,
      requestId: created.body.requestId,
      isModel: created.body instanceof Ecs.CreateSnapshotResponseBody,
    },
    progressing,
    halfway,
    accomplished,
    notFound,
  };
});
