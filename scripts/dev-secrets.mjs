// Development and test secrets, generated locally so nothing has to be set up by hand.
// Never used in production: there, `wrangler secret put` sets real values (see README).
import { generateKeyPairSync, randomBytes } from "node:crypto";

/** An RSA key pair as PEM: PKCS#8 private key and SPKI public key. */
export function generateRsaKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** Every secret the Worker reads, with development values (optional ones empty). */
export function generateDevSecrets() {
  return {
    JWT_PRIVATE_KEY: generateRsaKeyPair().privateKey,
    JWT_PREVIOUS_PUBLIC_KEYS: "",
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString("base64url"),
    TOTP_PREVIOUS_ENCRYPTION_KEYS: "",
    DATA_ENCRYPTION_KEY: randomBytes(32).toString("base64url"),
    DATA_PREVIOUS_ENCRYPTION_KEYS: "",
    METRICS_TOKEN: "",
    ADMIN_PASSWORD: "",
    MAIL_PASSWORD: "",
    TOKEN_WEBHOOK_SECRET: randomBytes(32).toString("base64url"),
  };
}

/** Renders secrets in the dotenv format `.dev.vars` uses (double quotes, `\n` for new lines). */
export function toDotenv(secrets) {
  return Object.entries(secrets)
    .map(([name, value]) => `${name}="${value.replace(/\n/g, "\\n")}"`)
    .join("\n")
    .concat("\n");
}
