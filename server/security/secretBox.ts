import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM under the master key. Every box gets a random 96-bit nonce, and the caller names
 * the associated data (for user secrets: the owner's id), so a ciphertext copied onto another
 * row does not decrypt.
 */
interface SealedBox {
  ciphertext: Uint8Array<ArrayBuffer>; // ciphertext followed by the 16-byte tag
  nonce: Uint8Array<ArrayBuffer>;
  masterKeyId: string;
}

export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The master key must be 32 bytes.');
    this.keyId = masterKeyId(key);
  }

  seal(plaintext: Buffer | string, associatedData: string): SealedBox {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      ciphertext: new Uint8Array(Buffer.concat([body, cipher.getAuthTag()])),
      nonce: new Uint8Array(nonce),
      masterKeyId: this.keyId,
    };
  }

  /** An HMAC-SHA256 (base64url) of `data` under a key derived from the master key for `purpose`. */
  mac(purpose: string, data: string): string {
    const subkey = createHmac('sha256', this.key).update(`parlance:${purpose}`).digest();
    return createHmac('sha256', subkey).update(data).digest('base64url');
  }

  open(box: { ciphertext: Uint8Array; nonce: Uint8Array }, associatedData: string): Buffer {
    const data = Buffer.from(box.ciphertext);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(box.nonce));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
  }
}

/** A short public fingerprint of a master key, stored beside each box to tell keys apart. */
function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}
