import type { SecretBox } from "../../platform/secret-box";
import type { PayloadCipher } from "./events";

/**
 * The `PayloadCipher` of webhook messages over a `SecretBox` (AES-256-GCM, the `DATA_*` keys):
 * sealed text is `<key id>.<base64url iv‖ciphertext‖tag>`, so a payload sealed before a key
 * rotation still opens while the old key is listed in `DATA_PREVIOUS_ENCRYPTION_KEYS`.
 */
export function secretBoxCipher(box: SecretBox): PayloadCipher {
  return {
    async seal(plaintext, associatedData) {
      const sealed = await box.encrypt(plaintext, associatedData);
      return `${sealed.keyId}.${sealed.ciphertext}`;
    },
    async open(sealed, associatedData) {
      const dot = sealed.indexOf(".");
      if (dot <= 0) throw new Error("not a sealed webhook payload");
      return box.decrypt({ keyId: sealed.slice(0, dot), ciphertext: sealed.slice(dot + 1) }, associatedData);
    },
  };
}
