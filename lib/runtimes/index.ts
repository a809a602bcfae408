export {
  NODE_BOOTSTRAP_PATH,
  PYTHON_BOOTSTRAP_PATH,
  describeRuntime,
  type RuntimeFamily,
  type RuntimeInfo,
} from './runtime-table.js';
export * from './provision/index.js';
