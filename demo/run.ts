/**
 * `npm run demo`: the whole product on one machine without Azure. Starts the
 * local ARM emulator with the demo instance, then code-server (a real VS Code
 * in the browser) with the packaged extension installed and a copy of the
 * APIOps demo workspace already configured to reach the emulator through the
 * extension's ordinary settings. Prints the URL and runs until Ctrl+C.
 *
 *   npm run demo [-- --port 8080] [-- --huge]   (--huge adds 10,000 named values)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator } from '../emulator';
import { credentialEnvironment, extensionSettings } from '../emulator/connection';
import { startCodeServer } from '../test/harness/codeServer';
import { ensureProvisioned } from '../test/harness/provision';
import { repoRoot } from '../test/support/repo';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const vsix = path.join(root, 'dist', 'apim-policy-studio.vsix');
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run "npm run package" (npm run demo does it for you).`);

  console.log('Provisioning code-server and Chromium (first run only)…');
  await ensureProvisioned();

  const demoDir = path.join(root, '.test-cache', 'demo');
  fs.mkdirSync(demoDir, { recursive: true });
  const emulator = await startEmulator({
    certDir: path.join(demoDir, 'cert'),
    extraNamedValues: process.argv.includes('--huge') ? 10_000 : undefined,
    quiet: true,
  });
  console.log(`ARM emulator: ${emulator.url} (instance ${emulator.instanceId})`);

  // A fresh copy of the demo workspace, so the demo never edits the repository.
  const workspace = path.join(demoDir, 'workspace');
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'demo', 'workspace'), workspace, { recursive: true });
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  const settings = extensionSettings(emulator);
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);

  const portFlag = flag('port');
  const server = await startCodeServer({
    vsixPaths: [vsix],
    workspaceFolder: workspace,
    port: portFlag ? Number(portFlag) : undefined,
    // The service principal's secret travels only in the environment, never in a file.
    env: { ...credentialEnvironment(emulator), AZURE_AUTHORITY_HOST: emulator.url },
  });

  console.log('');
  console.log(`  APIM Policy Studio demo is running: ${server.workbenchUrl()}`);
  console.log('');
  console.log('  Open apimartifacts/apis/orders-api/policy.xml, type {{ in a <value>, hover {{legacy-partner-key}},');
  console.log('  and open the "API Management" view in the activity bar. See demo/workspace/README.md.');
  console.log('  Policies view: open the Orders API\'s policy, edit and save (= publish). To try the conflict flow, change it');
  console.log(`  behind the editor's back first: curl --cacert ${emulator.caFile} -X POST ${emulator.url}/_emulator/policies \\`);
  console.log(`    -H 'content-type: application/json' -d '{"scope":"apis/orders-api"}'   then save again.`);
  console.log(`  (On a remote machine, forward the port first: ssh -L ${server.port}:127.0.0.1:${server.port} <host>)`);
  console.log('');
  console.log('  Press Ctrl+C to stop.');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping code-server and the emulator…');
    await server.stop();
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
