// A function with the telemetry-recorder extension in a layer: its logs reach the extension.
export const handler = async (event) => {
  console.log('Observed handling', JSON.stringify(event));
  return { observed: true };
};
