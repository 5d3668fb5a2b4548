// The FlowActors component SDK for Node.js: the component protocol (docs/components.md) in one file, no dependencies.
//
//   import { component, emit } from '@flowactors/component';
//   component()
//     .action('greet', ctx => [emit.data({ ...ctx.body, greeting: `Hello, ${ctx.body.name}` })])
//     .run();
//
// The same model as the .NET SDK (Components/Sdk): a component declares actions; the platform calls one per message
// with the step's configuration and last snapshot; the action returns what it emits, in order.
import http from 'node:http';

/** Environment variables the platform sets (Components/Protocol/ProtocolPaths.cs). */
export const environment = Object.freeze({
  port: 'FLOWACTORS_PORT',
  flow: 'FLOWACTORS_FLOW',
  step: 'FLOWACTORS_STEP',
  revision: 'FLOWACTORS_REVISION',
  configuration: 'FLOWACTORS_CONFIGURATION',
});

/** Exit code when the platform started the component without the environment it needs (as the .NET SDK). */
export const BAD_ENVIRONMENT_EXIT_CODE = 2;

/** Largest request body read, in bytes: the platform's own limit on message bodies is 1 MiB by default. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

const KINDS = new Set(['data', 'error', 'snapshot', 'httpReply', 'rebound', 'poison']);

/**
 * What an action can emit. `data` goes on to the next steps (or is the flow's output); `error` fails the execution
 * at this step; `snapshot` is kept and handed to the step's next call; `httpReply` answers the webhook request that
 * started the execution; `rebound` asks the platform to deliver the message again later; `poison` refuses the message
 * for good (dead-lettered at once, without retries).
 */
export const emit = Object.freeze({
  data: (body, headers) => withHeaders({ kind: 'data', body: body ?? null }, headers),
  error: message => ({ kind: 'error', error: String(message) }),
  snapshot: body => ({ kind: 'snapshot', body: body ?? null }),
  httpReply: (body, { status = 200, headers } = {}) => withHeaders({ kind: 'httpReply', body: body ?? null, status }, headers),
  rebound: () => ({ kind: 'rebound' }),
  poison: message => ({ kind: 'poison', error: String(message) }),
});

function withHeaders(value, headers) {
  return headers ? { ...value, headers } : value;
}

/** Starts declaring a component: `component().action(name, handler)...run()`. */
export function component() {
  return new ComponentBuilder();
}

/**
 * The named credential a step hands its component with every call (`credential` in the invoke request), as it is for
 * this call: a rotation reaches the next call. Values are read with `get(field)`; printing or serializing the credential
 * never shows them.
 */
export class Credential {
  #fields;

  constructor({ id, revision, fields }) {
    /** The credential's name. */
    this.id = id;
    /** Goes up with every change of the credential: key anything derived from it (a token, a client) by it. */
    this.revision = revision;
    this.#fields = new Map(Object.entries(fields ?? {}));
    Object.freeze(this);
  }

  /** The field names (never the values). */
  get fields() { return [...this.#fields.keys()]; }

  /** Whether the credential has `field`. */
  has(field) { return this.#fields.has(field); }

  /** The value of `field`; throws, naming the field and those the credential has, when it has none. */
  get(field) {
    if (!this.#fields.has(field)) {
      throw new Error(`Credential '${this.id}' has no field '${field}'; it has: ${this.fields.join(', ')}. Set it with PATCH /api/credentials/${this.id}.`);
    }

    return this.#fields.get(field);
  }

  /** Every value, for redacting error texts. */
  values() { return [...this.#fields.values()]; }

  toJSON() { return { id: this.id, revision: this.revision, fields: this.fields }; }

  toString() { return `Credential ${this.id} (revision ${this.revision}; fields ${this.fields.join(', ')}; values not shown)`; }

  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
}

/** What a handler gets for one message. */
export class ActionContext {
  #request;
  #startConfiguration;

  constructor(request, startConfiguration, signal) {
    this.#request = request;
    this.#startConfiguration = startConfiguration;
    /** Aborted when the platform gives up on this call (timeout, shutdown): pass it to outside calls (fetch). */
    this.signal = signal;
  }

  /** The action the step names. */
  get action() { return this.#request.action; }

  /** The message: `{ id, body, headers, executionId }`. */
  get message() { return this.#request.message; }

  /** The message body (parsed JSON). */
  get body() { return this.#request.message.body; }

  /** The message headers (an object of strings; webhook requests carry `http.method`, `http.path`...). */
  get headers() { return this.#request.message.headers ?? {}; }

  /** The step's configuration: the one sent with this call, else the one the component started with, else null. */
  get configuration() { return this.#request.configuration ?? this.#startConfiguration ?? null; }

  /** The last snapshot the step emitted, or null. */
  get snapshot() { return this.#request.snapshot ?? null; }

  /** The named credential the step uses (`"credential"` on the step), or null when it names none. Never log its values. */
  get credential() {
    const credential = this.#request.credential;
    return credential && typeof credential === 'object' ? new Credential(credential) : null;
  }

  /** The step's credential; throws, saying how to give the step one, when it names none. */
  requireCredential() {
    return this.credential ?? (() => {
      throw new Error(`Action '${this.action}' needs a credential: name one on the step ("credential": "<id>") and create it with PUT /api/credentials/<id>.`);
    })();
  }

  /** A string property of the configuration, or null. */
  configurationString(name) {
    const value = this.configuration?.[name];
    return typeof value === 'string' ? value : null;
  }

  /** A number property of the configuration, or null. */
  configurationNumber(name) {
    const value = this.configuration?.[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }
}

/** Declares the actions (and triggers) a component serves, then serves them. */
export class ComponentBuilder {
  #actions = new Map();
  #descriptions = new Map();
  #warmUp = null;
  #maxConcurrency = null;

  /**
   * Serves `name` with `handler(ctx)`, which returns (or resolves to) the emits in order: an array, one emit, or
   * nothing. A handler that throws fails that message with an `error` emit; the component goes on.
   */
  action(name, handler) {
    if (typeof name !== 'string' || name.trim() === '') throw new TypeError('An action needs a name.');
    if (typeof handler !== 'function') throw new TypeError(`Action '${name}' needs a handler function.`);
    if (this.#actions.has(name)) throw new Error(`Action '${name}' is declared twice. Give each action its own name.`);
    this.#actions.set(name, handler);
    return this;
  }

  /**
   * Describes action `name` for the console's designer: `configurationSchema`, the JSON Schema of the step
   * configuration it reads; `sampleInput`, a message body it handles; `title`, a short human name. All optional. The
   * same goes in the deployment's `descriptor.details`; `GET /descriptor` (and `node component.js --descriptor`) shows
   * what the component declares.
   */
  describe(name, { configurationSchema, sampleInput, title } = {}) {
    if (typeof name !== 'string' || name.trim() === '') throw new TypeError('describe needs the name of an action.');
    if (configurationSchema !== undefined && (configurationSchema === null || typeof configurationSchema !== 'object' || Array.isArray(configurationSchema))) {
      throw new TypeError(`The configurationSchema of action '${name}' is a JSON Schema object such as { type: 'object', properties: {...} }.`);
    }
    if (title !== undefined && typeof title !== 'string') throw new TypeError(`The title of action '${name}' is a string.`);
    this.#descriptions.set(name, { configurationSchema, sampleInput, title });
    return this;
  }

  /** What `GET /descriptor` answers: the actions served, the details declared for them, the most taken at once. */
  descriptor() {
    const undescribed = [...this.#descriptions.keys()].find(name => !this.#actions.has(name));
    if (undescribed) throw new Error(`The component describes action '${undescribed}' but serves no such action. Declare it with .action('${undescribed}', handler).`);
    return {
      actions: [...this.#actions.keys()].sort(),
      details: Object.fromEntries([...this.#descriptions].map(([name, d]) => [name, JSON.parse(JSON.stringify(d))])),
      ...(this.#maxConcurrency === null ? {} : { maxConcurrency: this.#maxConcurrency }),
    };
  }

  /**
   * Work to finish before the component reports ready (loading a cache, opening a connection): until it completes,
   * `GET /healthz` answers 503 and the platform holds messages back. It gets an AbortSignal that fires on shutdown.
   */
  warmUp(work) {
    if (typeof work !== 'function') throw new TypeError('warmUp needs a function.');
    this.#warmUp = work;
    return this;
  }

  /**
   * The most messages this component runs at once (a connection pool's size, an API's limit on parallel calls). The
   * platform never sends more when the component's descriptor declares the same `maxConcurrency`; the SDK holds to it
   * even when asked for more. Without it, the component runs as many at once as the step's concurrency.
   */
  maxConcurrency(messages) {
    if (!Number.isInteger(messages) || messages < 1) throw new TypeError(`maxConcurrency needs a whole number of at least 1, not ${messages}.`);
    this.#maxConcurrency = messages;
    return this;
  }

  /**
   * Serves the protocol on 127.0.0.1:`port` (0 picks a free port) and resolves to `{ port, ready, close() }`.
   * For tests and hosts of their own; a component's entry point calls `run()`.
   */
  async listen({ port = 0, configuration = null, log = defaultLog } = {}) {
    if (this.#actions.size === 0) throw new Error("The component declares no action. Declare one with .action('name', handler).");
    const actions = new Map(this.#actions);
    const known = [...actions.keys()].sort();
    const descriptor = this.descriptor();
    const stopping = new AbortController();
    let ready = false;
    const server = http.createServer((request, response) => {
      serve(request, response, { actions, known, descriptor, configuration, log, maxConcurrency: this.#maxConcurrency, isReady: () => ready }).catch(error => {
        log(`request failed: ${oneLine(error)}`);
        if (!response.headersSent) reply(response, 500, { error: 'The component could not answer.' });
        else response.destroy();
      });
    });
    server.keepAliveTimeout = 60_000; // the platform keeps its connection open between calls
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });

    const warmUp = this.#warmUp;
    const readyPromise = (async () => {
      if (warmUp) await warmUp(stopping.signal);
      ready = true;
    })();
    readyPromise.catch(error => log(`warm-up failed, the component stays unready: ${oneLine(error)}`));

    return {
      port: server.address().port,
      ready: readyPromise,
      close: async () => {
        stopping.abort();
        server.closeIdleConnections();
        await new Promise(resolve => server.close(() => resolve()));
      },
    };
  }

  /**
   * Runs the component as the platform starts it: port from FLOWACTORS_PORT, start configuration from
   * FLOWACTORS_CONFIGURATION; stops on SIGTERM or SIGINT. A bad environment exits with code 2 and says why.
   */
  run() {
    if (process.argv.includes('--descriptor')) {
      // What goes in a deployment's descriptor, printed without serving anything (no FLOWACTORS_PORT needed).
      process.stdout.write(`${JSON.stringify(this.descriptor())}\n`);
      return;
    }

    const settings = readEnvironment(process.env);
    if (settings.problem) {
      process.stderr.write(`${settings.problem}\n`);
      process.exitCode = BAD_ENVIRONMENT_EXIT_CODE;
      return;
    }

    this.listen({ port: settings.port, configuration: settings.configuration }).then(running => {
      const stop = () => {
        // The platform kills what does not stop in time anyway; a hung handler must not hold the process.
        setTimeout(() => process.exit(0), 5000).unref();
        running.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    }, error => {
      process.stderr.write(`The component could not listen on 127.0.0.1:${settings.port}: ${oneLine(error)}\n`);
      process.exitCode = 1;
    });
  }
}

/** The port and start configuration from the environment, or what is wrong with it. */
export function readEnvironment(env) {
  const text = env[environment.port];
  const port = /^\d{1,5}$/.test(text ?? '') ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    return { problem: `${environment.port} is '${text ?? ''}', not a port number. The platform sets it; to run the component by hand, set it yourself (e.g. ${environment.port}=8080).` };
  }

  const configurationText = env[environment.configuration];
  if (!configurationText || configurationText.trim() === '') return { port, configuration: null };
  try {
    return { port, configuration: JSON.parse(configurationText) };
  } catch (error) {
    return { problem: `${environment.configuration} is not JSON (${error.message}). Set it to the step's configuration object or leave it empty.` };
  }
}

async function serve(request, response, component) {
  const path = new URL(request.url, 'http://component').pathname;
  if (path === '/healthz') {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(response, 'GET');
    return reply(response, component.isReady() ? 200 : 503, { status: component.isReady() ? 'ok' : 'warming up' });
  }

  if (path === '/descriptor') {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(response, 'GET');
    return reply(response, 200, component.descriptor);
  }

  if (path !== '/invoke' && path !== '/invoke/batch') {
    return reply(response, 404, { error: `No route for ${request.method} ${path}; this component serves GET /healthz, GET /descriptor, POST /invoke and POST /invoke/batch.` });
  }

  if (request.method !== 'POST') return methodNotAllowed(response, 'POST');

  // The platform closes the connection when it gives up on a call: handlers learn of it through their signal.
  const aborted = new AbortController();
  response.once('close', () => { if (!response.writableFinished) aborted.abort(); });

  let payload;
  try {
    payload = JSON.parse(await readBody(request));
  } catch (error) {
    return reply(response, 400, { error: `The request body is not an invoke request: ${error.message}` });
  }

  const batch = path === '/invoke/batch';
  if (payload === null || typeof payload !== 'object' || typeof payload.action !== 'string'
      || (batch ? !Array.isArray(payload.messages) || payload.messages.some(m => !isMessage(m)) : !isMessage(payload.message))) {
    return reply(response, 400, { error: batch
      ? "The request body needs 'action' and 'messages' (an array of messages)."
      : "The request body needs 'action' and 'message'." });
  }

  const handler = component.actions.get(payload.action);
  if (!handler) {
    return reply(response, 400, {
      error: `Unknown action '${payload.action}'. This component serves: ${component.known.join(', ')}.`,
      knownActions: component.known,
    });
  }

  if (!batch) {
    const emits = await run(handler, payload, component, aborted.signal);
    if (!aborted.signal.aborted) reply(response, 200, { emits });
    return;
  }

  // Started in order, at most as many at once as the platform allows (the step's concurrency within this component's
  // own maximum); one after the other unless it says more. Answers keep the batch's order. Every message sees the
  // snapshot from before the batch; one emitted during it reaches the step's next call.
  const results = new Array(payload.messages.length);
  const lanes = Math.max(1, Math.min(Number.isInteger(payload.concurrency) ? payload.concurrency : 1,
    component.maxConcurrency ?? Infinity, payload.messages.length));
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < results.length && !aborted.signal.aborted) {
      const i = next++;
      const message = payload.messages[i];
      const request = { action: payload.action, message, configuration: payload.configuration, snapshot: payload.snapshot, credential: payload.credential };
      results[i] = { emits: await run(handler, request, component, aborted.signal) };
    }
  }));

  if (!aborted.signal.aborted) reply(response, 200, { results });
}

/** What the handler emits for one message: its emits, or one error emit when it throws or returns something else. */
async function run(handler, request, component, signal) {
  try {
    const result = await handler(new ActionContext(request, component.configuration, signal));
    const emits = result === undefined || result === null ? [] : Array.isArray(result) ? result : [result];
    const bad = emits.find(e => e === null || typeof e !== 'object' || !KINDS.has(e.kind));
    if (bad !== undefined) {
      throw new TypeError(`emitted ${JSON.stringify(bad)}; use emit.data(), emit.error(), emit.snapshot(), emit.httpReply(), emit.rebound() or emit.poison()`);
    }

    return emits;
  } catch (error) {
    // One line, no stack trace: the error emit already carries the failure to the platform, and every line a
    // component writes ends up in the platform's logs.
    // A client library's error may quote a URL or a header with a key in it: never the credential's values.
    const name = error?.name ?? 'Error';
    const text = redact(error?.message ?? String(error), request.credential);
    component.log(`Action ${request.action} failed on message ${request.message.id}: ${name}: ${oneLine(text)}`);
    return [emit.error(`Action '${request.action}' failed: ${name}: ${text}`)];
  }
}

function redact(text, credential) {
  for (const value of Object.values(credential?.fields ?? {})) {
    if (typeof value === 'string' && value.length > 0) text = text.split(value).join('***');
  }

  return text;
}

function isMessage(message) {
  return message !== null && typeof message === 'object' && 'body' in message;
}

async function readBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new Error(`the body is over ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk);
  }

  return Buffer.concat(chunks).toString('utf8');
}

function reply(response, status, value) {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function methodNotAllowed(response, allowed) {
  response.setHeader('Allow', allowed);
  reply(response, 405, { error: `Use ${allowed} here.` });
}

function oneLine(value) {
  return String(value?.message ?? value).replace(/\s+/g, ' ');
}

function defaultLog(line) {
  // Warnings only, one line each: the platform forwards each line of output as one log entry.
  console.warn(`warn: ${line}`);
}
