// The baseline of a cold start: a `node` process that loads cdk-local's own Runtime API
// client and makes its first request (GET /next), with nothing of a runtime around it.
// Usage: node first-request.mjs <runtime-client.mjs URL>   (AWS_LAMBDA_RUNTIME_API set)
const { RuntimeClient } = await import(process.argv[2]);
const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API);
await client.nextInvocation();
