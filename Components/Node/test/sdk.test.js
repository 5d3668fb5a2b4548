// The SDK against real HTTP on loopback: in-process servers for the protocol's behaviours, and the sample component as
// a child process started the way the platform starts one (environment only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { component, emit, readEnvironment, BAD_ENVIRONMENT_EXIT_CODE } from '../index.js';

const sample = fileURLToPath(new URL('../samples/greet.js', import.meta.url));
const message = (body, id = '1') => ({ id, executionId: `e${id}`, body, headers: { h: 'v' } });

async function post(port, path, value, { raw } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: raw ?? JSON.stringify(value),
  });
  return { status: response.status, body: await response.json() };
}

async function serving(builder, options) {
  const running = await builder.listen(options);
  await running.ready;
  return running;
}

test('invoke dispatches on the action with the body, headers, configuration and snapshot', async t => {
  const running = await serving(component().action('look', ctx => [emit.data({
    action: ctx.action, body: ctx.body, headers: ctx.headers, configuration: ctx.configuration, snapshot: ctx.snapshot,
    field: ctx.configurationString('field'), ms: ctx.configurationNumber('ms'),
  })]));
  t.after(() => running.close());

  const { status, body } = await post(running.port, '/invoke', {
    action: 'look', message: message({ name: 'ada' }), configuration: { field: 'name', ms: 5 }, snapshot: { n: 1 },
  });

  assert.equal(status, 200);
  assert.deepEqual(body.emits, [{ kind: 'data', body: {
    action: 'look', body: { name: 'ada' }, headers: { h: 'v' }, configuration: { field: 'name', ms: 5 }, snapshot: { n: 1 }, field: 'name', ms: 5,
  } }]);
});

test('a call without configuration sees the configuration the component started with', async t => {
  const running = await serving(component().action('c', ctx => emit.data(ctx.configuration)), { configuration: { from: 'start' } });
  t.after(() => running.close());

  assert.deepEqual((await post(running.port, '/invoke', { action: 'c', message: message({}) })).body.emits, [{ kind: 'data', body: { from: 'start' } }]);
  assert.deepEqual((await post(running.port, '/invoke', { action: 'c', message: message({}), configuration: { from: 'call' } })).body.emits,
    [{ kind: 'data', body: { from: 'call' } }]);
});

test('healthz answers 503 until the warm-up is done, then 200', async t => {
  let finish;
  const running = await component().warmUp(() => new Promise(resolve => { finish = resolve; })).action('a', () => []).listen();
  t.after(() => running.close());

  assert.equal((await fetch(`http://127.0.0.1:${running.port}/healthz`)).status, 503);
  finish();
  await running.ready;
  assert.equal((await fetch(`http://127.0.0.1:${running.port}/healthz`)).status, 200);
});

test('an unknown action is a 400 naming the actions the component serves', async t => {
  const running = await serving(component().action('b', () => []).action('a', () => []));
  t.after(() => running.close());

  const { status, body } = await post(running.port, '/invoke', { action: 'x', message: message({}) });

  assert.equal(status, 400);
  assert.equal(body.error, "Unknown action 'x'. This component serves: a, b.");
  assert.deepEqual(body.knownActions, ['a', 'b']);
});

test('a request that is not an invoke request is a 400 saying so', async t => {
  const running = await serving(component().action('a', () => []));
  t.after(() => running.close());

  const broken = await post(running.port, '/invoke', null, { raw: '{"action":' });
  assert.equal(broken.status, 400);
  assert.match(broken.body.error, /^The request body is not an invoke request/);
  const missing = await post(running.port, '/invoke', { action: 'a' });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error, "The request body needs 'action' and 'message'.");
  assert.equal((await fetch(`http://127.0.0.1:${running.port}/elsewhere`)).status, 404);
  assert.equal((await fetch(`http://127.0.0.1:${running.port}/invoke`)).status, 405);
});

test('a throwing handler fails that message with an error emit, logs one line, and the component serves on', async t => {
  const lines = [];
  const running = await serving(
    component().action('boom', ctx => { if (ctx.body.fail) throw new RangeError('on\npurpose'); return emit.data(ctx.body); }),
    { log: line => lines.push(line) });
  t.after(() => running.close());

  const failed = await post(running.port, '/invoke', { action: 'boom', message: message({ fail: true }) });
  assert.equal(failed.status, 200);
  assert.deepEqual(failed.body.emits, [{ kind: 'error', error: "Action 'boom' failed: RangeError: on\npurpose" }]);
  assert.deepEqual(lines, ['Action boom failed on message 1: RangeError: on purpose']);
  assert.deepEqual((await post(running.port, '/invoke', { action: 'boom', message: message({ ok: 1 }) })).body.emits, [{ kind: 'data', body: { ok: 1 } }]);
});

test('an emit the protocol does not know is an error of that message', async t => {
  const running = await serving(component().action('odd', () => [{ kind: 'shout' }]), { log: () => {} });
  t.after(() => running.close());

  const { body } = await post(running.port, '/invoke', { action: 'odd', message: message({}) });

  assert.equal(body.emits[0].kind, 'error');
  assert.match(body.emits[0].error, /emitted \{"kind":"shout"\}; use emit\.data\(\)/);
});

test('a batch answers one result per message in order; a failing message fails alone; all see the snapshot from before', async t => {
  const running = await serving(component().action('n', ctx => {
    if (ctx.body.n === 2) throw new Error('two');
    return [emit.snapshot({ seen: ctx.body.n }), emit.data({ n: ctx.body.n, before: ctx.snapshot })];
  }), { log: () => {} });
  t.after(() => running.close());

  const { status, body } = await post(running.port, '/invoke/batch', {
    action: 'n', messages: [1, 2, 3].map(n => message({ n }, String(n))), snapshot: { seen: 0 },
  });

  assert.equal(status, 200);
  assert.equal(body.results.length, 3);
  assert.deepEqual(body.results[0].emits, [{ kind: 'snapshot', body: { seen: 1 } }, { kind: 'data', body: { n: 1, before: { seen: 0 } } }]);
  assert.deepEqual(body.results[1].emits, [{ kind: 'error', error: "Action 'n' failed: Error: two" }]);
  assert.deepEqual(body.results[2].emits[1], { kind: 'data', body: { n: 3, before: { seen: 0 } } });
});

test('the handler hears through its signal when the platform gives up on the call', async t => {
  let started;
  const running = await serving(component().action('slow', ctx => new Promise(resolve => {
    started();
    ctx.signal.addEventListener('abort', () => resolve([emit.data('aborted')]));
  })));
  t.after(() => running.close());
  const aborted = new Promise(resolve => { started = resolve; });
  const caller = new AbortController();

  const call = fetch(`http://127.0.0.1:${running.port}/invoke`, {
    method: 'POST', body: JSON.stringify({ action: 'slow', message: message({}) }), signal: caller.signal,
  }).catch(error => error.name);
  await aborted;
  caller.abort();

  assert.equal(await call, 'AbortError');
  assert.equal((await fetch(`http://127.0.0.1:${running.port}/healthz`)).status, 200, 'the component serves on');
});

test('emit helpers write the protocol shapes', () => {
  assert.deepEqual(emit.data({ a: 1 }, { h: 'v' }), { kind: 'data', body: { a: 1 }, headers: { h: 'v' } });
  assert.deepEqual(emit.error(new Error('x').message), { kind: 'error', error: 'x' });
  assert.deepEqual(emit.snapshot({ n: 1 }), { kind: 'snapshot', body: { n: 1 } });
  assert.deepEqual(emit.httpReply({ ok: true }, { status: 201 }), { kind: 'httpReply', body: { ok: true }, status: 201 });
  assert.deepEqual(emit.rebound(), { kind: 'rebound' });
  assert.deepEqual(emit.poison('not an order'), { kind: 'poison', error: 'not an order' });
});

test('declaring an action twice, or none, is refused with what to do', async () => {
  assert.throws(() => component().action('a', () => []).action('a', () => []), /Action 'a' is declared twice/);
  await assert.rejects(component().listen(), /declares no action/);
});

test('the environment: a missing port or a configuration that is not JSON is a problem naming the variable', () => {
  assert.match(readEnvironment({}).problem, /^FLOWACTORS_PORT is '', not a port number/);
  assert.match(readEnvironment({ FLOWACTORS_PORT: '70000' }).problem, /^FLOWACTORS_PORT is '70000'/);
  assert.match(readEnvironment({ FLOWACTORS_PORT: '8080', FLOWACTORS_CONFIGURATION: '{' }).problem, /^FLOWACTORS_CONFIGURATION is not JSON/);
  assert.deepEqual(readEnvironment({ FLOWACTORS_PORT: '8080', FLOWACTORS_CONFIGURATION: '{"a":1}' }), { port: 8080, configuration: { a: 1 } });
});

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise(resolve => server.close(resolve));
  return port;
}

async function start(env) {
  const child = spawn(process.execPath, [sample], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', d => { output += d; });
  child.stderr.on('data', d => { output += d; });
  child.output = () => output;
  return child;
}

async function waitReady(port, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the sample exited with ${child.exitCode}: ${child.output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  throw new Error(`the sample did not become ready: ${child.output()}`);
}

test('the sample component, run as the platform runs it: greet, count with its snapshot, reply, and SIGTERM', async t => {
  const port = await freePort();
  const child = await start({ FLOWACTORS_PORT: String(port), FLOWACTORS_CONFIGURATION: '{"greeting":"Hi"}' });
  t.after(() => child.kill('SIGKILL'));
  await waitReady(port, child);

  const greeted = await post(port, '/invoke', { action: 'greet', message: message({ name: 'ada' }) });
  assert.deepEqual(greeted.body.emits, [{ kind: 'data', body: { name: 'ada', greeting: 'Hi, ada!' }, headers: { h: 'v' } }]);
  const counted = await post(port, '/invoke', { action: 'count', message: message({}), snapshot: { count: 41 } });
  assert.deepEqual(counted.body.emits.map(e => e.body), [{ count: 42 }, { count: 42 }]);
  const replied = await post(port, '/invoke', { action: 'reply', message: message({ ok: true }), configuration: { status: 201 } });
  assert.deepEqual(replied.body.emits, [{ kind: 'httpReply', body: { ok: true }, status: 201 }]);

  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, child.output());
});

test('the sample started without FLOWACTORS_PORT exits with code 2 and says what to set', async () => {
  const child = await start({});
  const [code] = await once(child, 'exit');

  assert.equal(code, BAD_ENVIRONMENT_EXIT_CODE);
  assert.match(child.output(), /FLOWACTORS_PORT is '', not a port number/);
});

test('the step\'s credential reaches the action as a typed value, per call, and never shows its values', async t => {
  const running = await serving(component().action('use', ctx => {
    const credential = ctx.requireCredential();
    return emit.data({ id: credential.id, revision: credential.revision, fields: credential.fields, key: credential.get('apiKey'),
      printed: `${credential} ${JSON.stringify(credential)}` });
  }));
  t.after(() => running.close());

  const credential = { id: 'crm', revision: 3, fields: { apiKey: 's3cr3t-value', user: 'u' } };
  const { body } = await post(running.port, '/invoke', { action: 'use', message: message({}), credential });
  const data = body.emits[0].body;
  assert.deepEqual([data.id, data.revision, data.fields, data.key], ['crm', 3, ['apiKey', 'user'], 's3cr3t-value']);
  assert.ok(!data.printed.includes('s3cr3t-value'), data.printed);

  const batch = await post(running.port, '/invoke/batch', { action: 'use', messages: [message({}, '1'), message({}, '2')], credential });
  assert.deepEqual(batch.body.results.map(r => r.emits[0].body.key), ['s3cr3t-value', 's3cr3t-value']);

  const without = await post(running.port, '/invoke', { action: 'use', message: message({}) });
  assert.match(without.body.emits[0].error, /needs a credential: name one on the step/);
});

test('a missing field is named, and a failing action\'s error never repeats a credential value', async t => {
  const logged = [];
  const running = await serving(component()
    .action('field', ctx => emit.data({ v: ctx.credential.get('password') }))
    .action('leak', ctx => { throw new Error(`GET https://api.example/?key=${ctx.credential.get('apiKey')} failed`); }), { log: line => logged.push(line) });
  t.after(() => running.close());
  const credential = { id: 'crm', revision: 1, fields: { apiKey: 'k-123-secret' } };

  const missing = await post(running.port, '/invoke', { action: 'field', message: message({}), credential });
  assert.match(missing.body.emits[0].error, /Credential 'crm' has no field 'password'; it has: apiKey/);
  const leaked = await post(running.port, '/invoke', { action: 'leak', message: message({}), credential });
  assert.match(leaked.body.emits[0].error, /key=\*\*\* failed/);
  assert.ok(!JSON.stringify(leaked.body).includes('k-123-secret') && !logged.join('\n').includes('k-123-secret'), logged.join('\n'));
});

test('describe: GET /descriptor and --descriptor show the actions and the details declared for them', async t => {
  const schema = { type: 'object', properties: { greeting: { type: 'string' } } };
  const running = await serving(component()
    .action('greet', () => [])
    .action('count', () => [])
    .describe('greet', { title: 'Greet', configurationSchema: schema, sampleInput: { name: 'ada' } }));
  t.after(() => running.close());

  const response = await fetch(`http://127.0.0.1:${running.port}/descriptor`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    actions: ['count', 'greet'],
    details: { greet: { title: 'Greet', configurationSchema: schema, sampleInput: { name: 'ada' } } },
  });

  const printed = spawn(process.execPath, [sample, '--descriptor'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  printed.stdout.on('data', chunk => { output += chunk; });
  const [code] = await once(printed, 'exit');
  assert.equal(code, 0);
  const descriptor = JSON.parse(output);
  assert.deepEqual(descriptor.actions, ['count', 'greet', 'reply']);
  assert.equal(descriptor.details.greet.configurationSchema.properties.greeting.type, 'string');
});

test('describing an action the component does not serve, or with a schema that is no object, is refused', async () => {
  assert.throws(() => component().describe('greet', { configurationSchema: [] }), /is a JSON Schema object/);
  await assert.rejects(component().action('greet', () => []).describe('gret', {}).listen(), /describes action 'gret' but serves no such action/);
});

/** A handler that counts the calls in flight and remembers the most it saw, each call waiting `ms`. */
function counting(ms) {
  const seen = { now: 0, most: 0, started: [] };
  const handler = async ctx => {
    seen.started.push(ctx.body.n);
    seen.most = Math.max(seen.most, ++seen.now);
    await new Promise(resolve => setTimeout(resolve, ms));
    seen.now--;
    return emit.data({ n: ctx.body.n });
  };
  return { seen, handler };
}

test('a batch runs its messages one after the other unless the platform allows more', async t => {
  const { seen, handler } = counting(5);
  const running = await serving(component().action('n', handler));
  t.after(() => running.close());

  const { body } = await post(running.port, '/invoke/batch', { action: 'n', messages: [1, 2, 3, 4].map(n => message({ n }, String(n))) });

  assert.deepEqual(body.results.map(r => r.emits[0].body.n), [1, 2, 3, 4]);
  assert.equal(seen.most, 1);
});

test('a batch with concurrency runs that many at once, starts them in order and answers in order', async t => {
  const { seen, handler } = counting(30);
  const running = await serving(component().action('n', handler));
  t.after(() => running.close());
  const numbers = Array.from({ length: 12 }, (_, i) => i + 1);

  const { body } = await post(running.port, '/invoke/batch', { action: 'n', concurrency: 4, messages: numbers.map(n => message({ n }, String(n))) });

  assert.deepEqual(body.results.map(r => r.emits[0].body.n), numbers);
  assert.deepEqual(seen.started, numbers);
  assert.equal(seen.most, 4);
});

test('a component that declares maxConcurrency never runs more at once, whatever the batch asks', async t => {
  const { seen, handler } = counting(10);
  const running = await serving(component().maxConcurrency(2).action('n', handler));
  t.after(() => running.close());

  const { body } = await post(running.port, '/invoke/batch', { action: 'n', concurrency: 8, messages: [1, 2, 3, 4, 5, 6].map(n => message({ n }, String(n))) });

  assert.equal(body.results.length, 6);
  assert.equal(seen.most, 2);
  assert.throws(() => component().maxConcurrency(0), /at least 1/);
});
