/**
 * Encryption at rest: AES-256-GCM (node:crypto) with a key derived from a passphrase by
 * Argon2id (hash-wasm) with a random, stored salt.
 *
 * A sealed message is `nonce (12 random bytes) | ciphertext | tag (16 bytes)`; the additional
 * authenticated data binds it to its place (a WAL entry's kind and LSN, a snapshot column), so
 * a sealed block moved elsewhere fails authentication like a damaged one. The key parameters
 * (salt, Argon2id costs) travel with the data, plus a sealed check value: a wrong passphrase
 * is E_STORE_KEY at open, before anything is decrypted — never garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StoreError } from './errors.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const CHECK_PLAINTEXT = Buffer.from('catrust key check');

/** Bytes a sealed message adds to its plaintext. */
export const SEAL_OVERHEAD_BYTES = NONCE_BYTES + TAG_BYTES;

/** Argon2id costs. The defaults follow RFC 9106's second recommendation (64 MiB, 3 passes). */
export interface KeyDerivationCosts {
  readonly memoryKiB?: number | undefined;
  readonly iterations?: number | undefined;
}

export interface KeyParameters {
  readonly kdf: 'argon2id';
  readonly salt: string;
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** The check value, sealed with the key (base64). */
  readonly check: string;
}

async function derive(
  passphrase: string,
  salt: Buffer,
  memoryKiB: number,
  iterations: number,
): Promise<Buffer> {
  if (passphrase.length === 0) {
    throw new StoreError('E_STORE_KEY', 'the passphrase must not be empty');
  }
  const { argon2id } = await import('hash-wasm');
  const key = await argon2id({
    password: passphrase,
    salt,
    parallelism: 1,
    iterations,
    memorySize: memoryKiB,
    hashLength: KEY_BYTES,
    outputType: 'binary',
  });
  return Buffer.from(key);
}

export class EncryptionKey {
  private constructor(
    private readonly key: Buffer,
    readonly parameters: KeyParameters,
  ) {}

  /** A new key for `passphrase`, with a fresh salt. */
  static async create(passphrase: string, costs: KeyDerivationCosts = {}): Promise<EncryptionKey> {
    const memoryKiB = costs.memoryKiB ?? 65_536;
    const iterations = costs.iterations ?? 3;
    if (
      !Number.isInteger(memoryKiB) ||
      memoryKiB < 8 ||
      !Number.isInteger(iterations) ||
      iterations < 1
    ) {
      throw new StoreError('E_STORE_KEY', 'Argon2id needs memoryKiB ≥ 8 and iterations ≥ 1');
    }
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(passphrase, salt, memoryKiB, iterations);
    const partial = {
      kdf: 'argon2id' as const,
      salt: salt.toString('base64'),
      memoryKiB,
      iterations,
      parallelism: 1,
    };
    const check = sealWith(key, CHECK_PLAINTEXT, 'check').toString('base64');
    return new EncryptionKey(key, { ...partial, check });
  }

  /** The key of stored `parameters` for `passphrase`; E_STORE_KEY when it is the wrong one. */
  static async open(passphrase: string, parametersJson: unknown): Promise<EncryptionKey> {
    const parameters = parseParameters(parametersJson);
    const key = await derive(
      passphrase,
      Buffer.from(parameters.salt, 'base64'),
      parameters.memoryKiB,
      parameters.iterations,
    );
    const check = openWith(key, Buffer.from(parameters.check, 'base64'), 'check');
    if (check === undefined || !check.equals(CHECK_PLAINTEXT)) {
      throw new StoreError('E_STORE_KEY', 'wrong passphrase for this database', {
        hint: 'give the passphrase the database was created (or last re-keyed) with',
      });
    }
    return new EncryptionKey(key, parameters);
  }

  seal(plaintext: Uint8Array, place: string): Buffer {
    return sealWith(this.key, plaintext, place);
  }

  /**
   * `seal` of the concatenation of `parts`, without concatenating them: the sealed message in
   * pieces (nonce, ciphertext pieces, tag).
   */
  sealParts(parts: readonly Uint8Array[], place: string): Buffer[] {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(place));
    const pieces = [nonce];
    for (const part of parts) pieces.push(cipher.update(part));
    pieces.push(cipher.final(), cipher.getAuthTag());
    return pieces;
  }

  /** The plaintext, or undefined when the message is damaged or sealed for another place. */
  open(sealed: Uint8Array, place: string): Buffer | undefined {
    return openWith(this.key, sealed, place);
  }
}

function sealWith(key: Buffer, plaintext: Uint8Array, place: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(place));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function openWith(key: Buffer, sealed: Uint8Array, place: string): Buffer | undefined {
  if (sealed.length < SEAL_OVERHEAD_BYTES) return undefined;
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(place));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

function parseParameters(json: unknown): KeyParameters {
  const record = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const { kdf, salt, memoryKiB, iterations, parallelism, check } = record;
  if (
    kdf !== 'argon2id' ||
    typeof salt !== 'string' ||
    typeof check !== 'string' ||
    !Number.isInteger(memoryKiB) ||
    !Number.isInteger(iterations) ||
    parallelism !== 1 ||
    (memoryKiB as number) < 8 ||
    (memoryKiB as number) > 4 * 1024 * 1024 ||
    (iterations as number) < 1 ||
    (iterations as number) > 64
  ) {
    throw new StoreError('E_STORE_CORRUPT', 'bad key parameters');
  }
  return {
    kdf,
    salt,
    memoryKiB: memoryKiB as number,
    iterations: iterations as number,
    parallelism: 1,
    check,
  };
}
