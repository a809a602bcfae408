#!/usr/bin/env node
import { runCli } from '../lib/cli/index.js';

// The command line runs from a bundle; with --debug, stack traces point into the sources.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);

process.exitCode = await runCli(process.argv.slice(2));
