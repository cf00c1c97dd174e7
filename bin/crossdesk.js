#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so `npx crossdesk …` works right after
// `npm install` with no build step.
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

// A server allocates many short-lived objects per request: a larger young generation (32 MB
// semi-spaces, V8's default is 16) means fewer scavenges and fewer objects promoted to the old
// generation (measured in `bench --only helpdesk`). NODE_OPTIONS can still set another size.
if (['serve', 'demo'].includes(process.argv[2] ?? '') && !/--max-semi-space-size/.test(`${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`)) {
  v8.setFlagsFromString('--max-semi-space-size=32');
}
register();
const { main } = await import('../src/cli/index.ts');
await main(process.argv);
