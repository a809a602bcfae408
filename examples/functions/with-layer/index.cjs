// greeting-lib is not in this directory: it comes from the SharedLayer layer at /opt/nodejs/node_modules.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { greet } = require('greeting-lib');

exports.handler = async (event) => {
  return { message: greet(event?.name ?? 'world') };
};
