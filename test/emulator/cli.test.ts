// Out-of-process use: the CLI as `npm run emulator` starts it, and a separate Node process that trusts the
// emulator only through NODE_EXTRA_CA_CERTS (no agent, no tlsOptions) running the real identity + SDK.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/repo';
import { waitFor } from './support';
import { DEMO_FAILING_KEY_VAULT, demoNamedValues } from '../support/demoScenarios';

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const CLIENT_SCRIPT = `
const { ClientSecretCredential } = require('@azure/identity');
const { ApiManagementClient } = require('@azure/arm-apimanagement');
(async () => {
  const e = process.env;
  const cred = new ClientSecretCredential(e.AZURE_TENANT_ID, e.AZURE_CLIENT_ID, e.AZURE_CLIENT_SECRET,
    { authorityHost: e.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true });
  const client = new ApiManagementClient(cred, e.SUBSCRIPTION_ID, { endpoint: e.AZURE_RESOURCE_MANAGER_ENDPOINT });
  let n = 0;
  for await (const _ of client.namedValue.listByService('rg-contoso-apis', 'contoso-apim')) n++;
  const failed = [];
  for await (const v of client.namedValue.listByService('rg-contoso-apis', 'contoso-apim', { isKeyVaultRefreshFailed: true })) failed.push(v.name);
  console.log(JSON.stringify({ n, failed: failed.sort() }));
})().catch((err) => { console.error(err && err.message); process.exit(2); });
`;

describe('emulator: CLI and NODE_EXTRA_CA_CERTS clients', function () {
  this.timeout(30000);
  let cli: ChildProcess | undefined;
  let certDir: string;

  before(() => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-cli-test-'));
  });
  after(async () => {
    if (cli && cli.exitCode === null) {
      const exited = new Promise((r) => cli?.once('exit', r));
      cli.kill('SIGINT');
      await exited;
    }
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  it('prints connection details, serves a separate Node process, and stops on SIGINT', async () => {
    const cliPath = path.join(repoRoot(), 'out', 'emulator', 'cli.js');
    assert.ok(fs.existsSync(cliPath), `build first: ${cliPath} is missing`);
    cli = spawn(process.execPath, [cliPath, '--cert-dir', certDir, '--extra-named-values', '25', '--quiet'], {
      cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    cli.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    await waitFor(() => (out.includes('Press Ctrl+C') ? true : undefined), 15000, 'the CLI banner');

    const exports = Object.fromEntries([...out.matchAll(/export (\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    assert.equal(exports.NODE_EXTRA_CA_CERTS, path.join(certDir, 'ca.pem'));
    assert.match(exports.AZURE_AUTHORITY_HOST, /^https:\/\/127\.0\.0\.1:\d+$/);
    const settings = JSON.parse(/\{[\s\S]*?\}/.exec(out.slice(out.indexOf('settings.json')))?.[0] ?? '{}') as Record<string, string>;
    assert.equal(settings['apimPolicy.customCloud.armEndpoint'], exports.AZURE_AUTHORITY_HOST);
    const subscription = /subscription\s+(\S+)/.exec(out)?.[1];

    const client = await runNode(['-e', CLIENT_SCRIPT], { ...process.env, ...exports, SUBSCRIPTION_ID: subscription });
    assert.equal(client.code, 0, client.stderr);
    const result = JSON.parse(client.stdout.trim()) as { n: number; failed: string[] };
    assert.equal(result.n, demoNamedValues().length + 25);
    assert.deepEqual(result.failed, Object.keys(DEMO_FAILING_KEY_VAULT).sort());

    const withoutTrust = await runNode(['-e', CLIENT_SCRIPT], { ...process.env, ...exports, NODE_EXTRA_CA_CERTS: '', SUBSCRIPTION_ID: subscription });
    assert.notEqual(withoutTrust.code, 0, 'a client that does not trust the CA must fail');

    const exited = new Promise<number | null>((r) => cli?.once('exit', (code) => r(code)));
    cli.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});
