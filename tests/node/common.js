'use strict';
// Shared by popcore.js and ecs_tea.js: the arguments, the mock's clock endpoint, the CreateSnapshot
// scenario (each script brings its client's calls) and the output.
//
// Each script runs the CreateSnapshot scenario against a running mock_ecs server and prints
// one JSON summary on stdout; tests/test_node_clients.py asserts every value in it.

const REGION = 'cn-hangzhou';
const IMAGE = 'ubuntu_22_04_x64_20G_alibase_20240130.vhd';
const INSTANCE_TYPE = 'ecs.g7.large';
const AK = 'LTAInodeAccessKey';
const SECRET = 'nodeSecret';
const WINDOW = 3600; // the disk initialisation window (initialization_seconds default)
const MISSING_DISK = 'd-bp1missing0000000000';

function args(modes) {
  const [url, mode = modes[0]] = process.argv.slice(2);
  if (!url || !/^http:\/\/[^/]+$/.test(url) || !modes.includes(mode)) {
    process.stderr.write(`usage: node ${process.argv[1]} http://127.0.0.1:PORT [${modes.join('|')}]\n`);
    process.exit(2);
  }
  return { url, mode };
}

// POST /_mock_ecs/clock/advance {"seconds": N}: the mock's time moves, nothing sleeps.
async function advance(url, seconds) {
  const resp = await fetch(`${url}/_mock_ecs/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
    signal: AbortSignal.timeout(10000),
  });
  const doc = await resp.json();
  if (resp.status !== 200) {
    throw new Error(`clock/advance answered ${resp.status}: ${JSON.stringify(doc)}`);
  }
  return { status: resp.status, offset: doc.offset };
}

// Run a call that must fail; answer what the client's error object says (the fields every
// client has, and the client's own from `extra(err)`), or {thrown: false, result} so that the
// Python side fails with the unexpected success in view.
async function failure(fn, extra) {
  let result;
  try {
    result = await fn();
  } catch (err) {
    return {
      thrown: true,
      isError: err instanceof Error,
      name: err.name,
      code: err.code,
      message: err.message,
      data: err.data,
      ...extra(err),
    };
  }
  return { thrown: false, result };
}

// The CreateSnapshot scenario on the system disk `diskId`, through the client's own
// `createSnapshot(diskId)` and `snapshotOf(diskId)`: refused while the disk initialises, made
// once the window has passed, watched through its progress, then refused for a missing disk.
// `created` is the client's raw answer; `errorFields(err)` adds the client's own error fields.
async function snapshotScenario(url, diskId, { createSnapshot, snapshotOf, errorFields }) {
  const initializing = await failure(() => createSnapshot(diskId), errorFields);
  const clock = await advance(url, WINDOW);
  const created = await createSnapshot(diskId);
  const progressing = await snapshotOf(diskId);
  const halfway = (await advance(url, 30), await snapshotOf(diskId));
  const accomplished = (await advance(url, 30), await snapshotOf(diskId));
  const notFound = await failure(() => createSnapshot(MISSING_DISK), errorFields);
  return { initializing, clock, created, progressing, halfway, accomplished, notFound };
}

function finish(main) {
  main().then(
    (summary) => process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(0)),
    (err) => {
      process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
      if (err && err.data) process.stderr.write(`data: ${JSON.stringify(err.data)}\n`);
      process.exit(1);
    },
  );
}

module.exports = { REGION, IMAGE, INSTANCE_TYPE, AK, SECRET, args, snapshotScenario, finish };
