#!/usr/bin/env node
// Entry of `pnpm --filter @omniclear/chain deploy:network -- --config <file> [--check-only] [--out <file>]`.
// The environment is read here, once, and passed down (the deployer key and RPC URLs it names).
import { runNetworkCli } from '../dist/index.js';

// pnpm runs package scripts in the package directory; resolve paths from where the command was typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
process.exitCode = await runNetworkCli(process.argv.slice(2), process.env);
