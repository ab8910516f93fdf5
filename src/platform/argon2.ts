import argon2Module from "@phi-ag/argon2/argon2.wasm";

/**
 * Argon2id through the reference C implementation compiled to WebAssembly (@phi-ag/argon2's
 * `argon2.wasm`). The package's own JS wrapper passes `password.length` (UTF-16 units) as the byte
 * length, which truncates non-ASCII passwords, so we call the wasm exports directly with the UTF-8
 * byte length. The module is imported statically: workerd forbids compiling wasm from bytes at run
 * time, which is why hash-wasm cannot be used.
 */
interface Argon2Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  argon2_hash(
    t: number,
    m: number,
    p: number,
    pwd: number,
    pwdLen: number,
    salt: number,
    saltLen: number,
    hash: number,
    hashLen: number,
    encoded: number,
    encodedLen: number,
    type: number,
    version: number,
  ): number;
  argon2_verify(encoded: number, pwd: number, pwdLen: number, type: number): number;
  argon2_encodedlen(t: number, m: number, p: number, saltLen: number, hashLen: number, type: number): number;
}

const ARGON2ID = 2;
const VERSION_13 = 0x13;
const ARGON2_OK = 0;

export interface Argon2Params {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

let instance: Argon2Exports | undefined;

// One instance per isolate: instantiating is cheap but the 19 MiB of wasm memory it grows is not
// worth giving back between requests. Calls are synchronous, so requests never share it mid-hash.
function exports(): Argon2Exports {
  if (!instance) {
    const created = new WebAssembly.Instance(argon2Module, {}).exports as unknown as Argon2Exports;
    created._initialize();
    instance = created;
  }
  return instance;
}

function withBytes<T>(wasm: Argon2Exports, bytes: Uint8Array, use: (ptr: number) => T): T {
  const ptr = wasm.malloc(Math.max(bytes.length, 1));
  try {
    new Uint8Array(wasm.memory.buffer).set(bytes, ptr);
    return use(ptr);
  } finally {
    new Uint8Array(wasm.memory.buffer).fill(0, ptr, ptr + bytes.length);
    wasm.free(ptr);
  }
}

/** Argon2id (v1.3) PHC string of `password` with the given salt and a 32-byte tag. */
export function argon2idHash(password: string, salt: Uint8Array, params: Argon2Params): string {
  const wasm = exports();
  const pwd = new TextEncoder().encode(password);
  const hashLen = 32;
  const encodedLen = wasm.argon2_encodedlen(
    params.iterations,
    params.memoryKib,
    params.parallelism,
    salt.length,
    hashLen,
    ARGON2ID,
  );
  return withBytes(wasm, pwd, (pwdPtr) =>
    withBytes(wasm, salt, (saltPtr) => {
      const hashPtr = wasm.malloc(hashLen);
      const encodedPtr = wasm.malloc(encodedLen);
      try {
        const result = wasm.argon2_hash(
          params.iterations,
          params.memoryKib,
          params.parallelism,
          pwdPtr,
          pwd.length,
          saltPtr,
          salt.length,
          hashPtr,
          hashLen,
          encodedPtr,
          encodedLen,
          ARGON2ID,
          VERSION_13,
        );
        if (result !== ARGON2_OK) throw new Error(`argon2_hash failed with code ${result}`);
        const heap = new Uint8Array(wasm.memory.buffer);
        const end = heap.indexOf(0, encodedPtr);
        return new TextDecoder().decode(heap.subarray(encodedPtr, end));
      } finally {
        wasm.free(hashPtr);
        wasm.free(encodedPtr);
      }
    }),
  );
}

/** True when `password` matches the Argon2id PHC string; false for a mismatch or a malformed string. */
export function argon2idVerify(encoded: string, password: string): boolean {
  if (!encoded.startsWith("$argon2id$")) return false;
  const wasm = exports();
  const encodedBytes = new TextEncoder().encode(`${encoded}\0`);
  const pwd = new TextEncoder().encode(password);
  return withBytes(wasm, encodedBytes, (encodedPtr) =>
    withBytes(
      wasm,
      pwd,
      (pwdPtr) => wasm.argon2_verify(encodedPtr, pwdPtr, pwd.length, ARGON2ID) === ARGON2_OK,
    ),
  );
}
