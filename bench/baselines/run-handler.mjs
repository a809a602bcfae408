// The baseline of `cdk-local invoke`: plain `node` loading the same handler file and calling
// it once with the same event, printing the result as cdk-local does.
// Usage: node run-handler.mjs <handler file> <export name> <event JSON>
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [file, name, event] = process.argv.slice(2);
const handler = createRequire(import.meta.url)(resolve(file))[name];
const result = await handler(JSON.parse(event), {});
process.stdout.write(JSON.stringify(result));
