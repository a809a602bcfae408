// Lives in a nested stack; TABLE_NAME comes from the parent stack through a stack parameter.
export const handler = async (event) => {
  console.log('Nested worker got', JSON.stringify(event));
  return { worker: 'nested', tableName: process.env.TABLE_NAME, event };
};
