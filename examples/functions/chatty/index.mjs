// Writes about 1 MB of logs in many lines, then returns.
export const handler = async (event) => {
  const lines = event?.lines ?? 10_000;
  const lineLength = event?.lineLength ?? 100;
  const filler = 'x'.repeat(lineLength);
  for (let i = 0; i < lines; i++) {
    console.log(`line ${i} ${filler}`);
  }
  return { lines, bytes: lines * lineLength };
};
