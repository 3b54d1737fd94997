// Generates the emulator's loopback TLS identity: a self-signed certificate valid for 127.0.0.1 and localhost.
// Clients trust it by adding the PEM as a CA (https.Agent { ca } or NODE_EXTRA_CA_CERTS).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsIdentity {
  certPem: string;
  keyPem: string;
  caFile: string;
  /** Removes the temp directory holding ca.pem when the emulator created it (a caller's certDir is kept). */
  cleanup(): Promise<void>;
}

export async function createTlsIdentity(certDir?: string): Promise<TlsIdentity> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'APIM Policy Studio local ARM emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 30 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const dir = certDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'apim-emulator-')));
  await fs.mkdir(dir, { recursive: true });
  const caFile = path.join(dir, 'ca.pem');
  await fs.writeFile(caFile, pems.cert, 'utf8');
  const cleanup = async (): Promise<void> => {
    if (certDir === undefined) await fs.rm(dir, { recursive: true, force: true });
  };
  return { certPem: pems.cert, keyPem: pems.private, caFile, cleanup };
}
