/**
 * The one source of randomness. Production uses `crypto.getRandomValues`; tests may pass a
 * deterministic source to get reproducible ids, never to weaken secrets in production.
 */
export interface RandomSource {
  bytes(length: number): Uint8Array;
}

export const cryptoRandom: RandomSource = {
  bytes(length) {
    return crypto.getRandomValues(new Uint8Array(length));
  },
};
