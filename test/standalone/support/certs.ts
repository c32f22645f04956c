// Certificates made at test time by scripts/make-certs.sh (nothing with a private key is committed):
// one cluster CA with a certificate per member and for "stranger" (CA-signed, names no member),
// an already expired member certificate from the same CA, and a member certificate from a foreign CA.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const MAKE_CERTS = resolve(import.meta.dirname, '..', '..', '..', 'scripts', 'make-certs.sh');

export interface CertFiles {
  cert: string;
  key: string;
}

export class TestCerts {
  readonly dir = mkdtempSync(join(tmpdir(), 'raft-certs-'));
  readonly foreignDir = join(this.dir, 'foreign');
  readonly expiredDir = join(this.dir, 'expired');

  /** Certificates for `ids` and "stranger" under one CA, plus expired ones (same CA and names) and a foreign CA's. */
  constructor(ids: readonly string[]) {
    execFileSync('bash', [MAKE_CERTS, this.dir, ...ids, 'stranger'], { stdio: 'ignore' });
    // Same CA (make-certs keeps an existing ca.crt/ca.key), same names, expired at once.
    mkdirSync(this.expiredDir);
    for (const f of ['ca.crt', 'ca.key']) copyFileSync(join(this.dir, f), join(this.expiredDir, f));
    execFileSync('bash', [MAKE_CERTS, this.expiredDir, ...ids], { stdio: 'ignore', env: { ...process.env, CERT_DAYS: '-1' } });
    execFileSync('bash', [MAKE_CERTS, this.foreignDir, ...ids], { stdio: 'ignore' });
  }

  get ca(): string {
    return join(this.dir, 'ca.crt');
  }

  files(id: string): CertFiles {
    return { cert: join(this.dir, `${id}.crt`), key: join(this.dir, `${id}.key`) };
  }

  /** A certificate naming `id` that the cluster CA signed, already expired. */
  expired(id: string): CertFiles {
    return { cert: join(this.expiredDir, `${id}.crt`), key: join(this.expiredDir, `${id}.key`) };
  }

  /** A certificate naming `id`, signed by a CA the cluster does not trust. */
  foreign(id: string): CertFiles {
    return { cert: join(this.foreignDir, `${id}.crt`), key: join(this.foreignDir, `${id}.key`) };
  }

  /** Node tls options presenting `files`, trusting the cluster CA. */
  tlsOptions(files: CertFiles | null): { ca: Buffer; cert?: Buffer; key?: Buffer } {
    const ca = readFileSync(this.ca);
    return files === null ? { ca } : { ca, cert: readFileSync(files.cert), key: readFileSync(files.key) };
  }

  /** --peer-cert/--peer-key/--peer-ca flags for member `id`. */
  peerFlags(id: string): string[] {
    const f = this.files(id);
    return ['--peer-cert', f.cert, '--peer-key', f.key, '--peer-ca', this.ca];
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
