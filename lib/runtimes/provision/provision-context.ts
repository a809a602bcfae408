/** What provisioning a runtime's pieces needs to know of its surroundings. */
export interface ProvisionContext {
  /** The cache to fill (see {@link runtimeCacheDirectory}). */
  readonly cacheDirectory: string;
  /** The user's project (the directory of cdk.json or the app), searched first. */
  readonly projectDirectory?: string;
  /** Receives one-line progress and notices, shown to the user. */
  readonly onNotice?: (message: string) => void;
  /** cdk-local's own diagnostics. */
  readonly debug?: (fields: Readonly<Record<string, unknown>>, message: string) => void;
}
