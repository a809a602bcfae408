export { chooseSandbox, type SandboxChoice, type SandboxSetting } from './choose-sandbox.js';
export { detectBubblewrap, type Bubblewrap, type BubblewrapDetection } from './detect-bubblewrap.js';
export type { Launch, LaunchCommand, Launcher, LauncherOptions } from './launcher.js';
export { prepareLauncher, type PrepareLauncherOptions } from './prepare-launcher.js';
