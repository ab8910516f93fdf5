/** Types of dev-secrets.mjs, for the TypeScript tests that start a Worker with development secrets. */
export function generateRsaKeyPair(): { privateKey: string; publicKey: string };
export function generateDevSecrets(): Record<string, string>;
export function toDotenv(secrets: Record<string, string>): string;
