// Fails on purpose: the caller gets {"errorType":"ValidationError","errorMessage":...,"trace":[...]}.
class ValidationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ValidationError';
  }
}

export const handler = async (event) => {
  console.error('About to throw');
  throw new ValidationError(`Order ${event?.orderId ?? '(none)'} is not valid`);
};
