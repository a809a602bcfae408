export {
  NODE_BOOTSTRAP_PATH,
  PYTHON_BOOTSTRAP_PATH,
  SUPPORTED_RUNTIMES_TEXT,
  describeRuntime,
  type RuntimeFamily,
  type RuntimeInfo,
} from './runtime-table.js';
export * from './provision/index.js';
