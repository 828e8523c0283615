'use strict';
// Shared by popcore.js and ecs_tea.js: the arguments, the mock's clock endpoint and the output.
//
// Each script runs the CreateSnapshot scenario against a running mock_ecs server and prints
// one JSON summary on stdout; tests/test_node_clients.py asserts every value in it.

const REGION = 'cn-hangzhou';
const IMAGE = 'ubuntu_22_04_x64_20G_alibase_20240130.vhd';
const INSTANCE_TYPE = 'ecs.g7.large';
const AK = 'LTAInodeAccessKey';
const SECRET = 'nodeSecret';
const WINDOW = 3600; // the disk initialisation window (initialization_seconds default)

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

// Run a call that must fail; answer what the client's own error object says, or
// {thrown: false, result} so that the Python side fails with the unexpected success in view.
async function failure(fn, describe) {
  let result;
  try {
    result = await fn();
  } catch (err) {
    return describe(err);
  }
  return { thrown: false, result };
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

module.exports = { REGION, IMAGE, INSTANCE_TYPE, AK, SECRET, WINDOW, args, advance, failure, finish };
