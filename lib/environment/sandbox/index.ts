export { chooseSandbox, hasOwnNetwork, type SandboxChoice, type SandboxSetting } from './choose-sandbox.js';
export { detectBubblewrap, type Bubblewrap, type BubblewrapDetection } from './detect-bubblewrap.js';
export type { Launch, LaunchCommand, Launcher, LauncherOptions } from './launcher.js';
export { prepareLauncher, type PrepareLauncherOptions } from './prepare-launcher.js';
export { detectNetworkTools, type NetworkDetection, type NetworkTools } from './detect-network.js';
export { HOST_NAME, RUNTIME_API_PORT, startNetworkNamespace, type NetworkNamespace } from './network-namespace.js';
export { isSandboxConnection } from './sandbox-peer.js';
