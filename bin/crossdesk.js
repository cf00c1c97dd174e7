#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so `npx crossdesk …` works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
await main(process.argv);
