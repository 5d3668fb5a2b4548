// A sample component written with the Node.js SDK. Actions:
//   greet  adds `greeting: "<greeting>, <name>!"` to the body; configuration {"greeting": "Hello"} (the default).
//   count  counts the messages the step has seen, in its snapshot, and adds `count` to the body.
//   reply  answers the webhook request that started the execution with the body; configuration {"status": 200}.
// SAMPLE_WARMUP_MS makes it slow to become ready, like a component that loads something at start.
import { component, emit } from '../index.js';

const warmUpMs = Number(process.env.SAMPLE_WARMUP_MS ?? 0);

component()
  .warmUp(signal => new Promise(resolve => {
    const timer = setTimeout(resolve, warmUpMs);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); });
  }))
  .action('greet', ctx => {
    const greeting = ctx.configurationString('greeting') ?? 'Hello';
    const name = typeof ctx.body?.name === 'string' ? ctx.body.name : 'there';
    return [emit.data({ ...ctx.body, greeting: `${greeting}, ${name}!` }, ctx.headers)];
  })
  .action('count', ctx => {
    const count = (ctx.snapshot?.count ?? 0) + 1;
    return [emit.snapshot({ count }), emit.data({ ...ctx.body, count }, ctx.headers)];
  })
  .action('reply', ctx => [emit.httpReply(ctx.body, { status: ctx.configurationNumber('status') ?? 200 })])
  // What the console's designer shows for each action: a form from the schema, the sample to preview mappings on.
  .describe('greet', {
    title: 'Greet by name',
    configurationSchema: {
      type: 'object', title: 'Greeting', additionalProperties: false,
      properties: { greeting: { type: 'string', title: 'Greeting', default: 'Hello', maxLength: 40 } },
    },
    sampleInput: { name: 'ada' },
  })
  .describe('count', { title: 'Count messages', sampleInput: { name: 'ada' } })
  .describe('reply', {
    title: 'Answer the webhook',
    configurationSchema: {
      type: 'object', title: 'Reply', additionalProperties: false,
      properties: { status: { type: 'integer', title: 'HTTP status', minimum: 200, maximum: 599, default: 200 } },
    },
    sampleInput: { name: 'ada' },
  })
  .run();
