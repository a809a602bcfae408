// Exits mid-invoke: the caller gets Runtime.ExitError.
export const handler = async (event) => {
  console.log('Crashing with exit code', event?.exitCode ?? 1);
  process.exit(event?.exitCode ?? 1);
};
