/**
 * The setting every UI suite shares: the demo instance served by the ARM emulator in this process,
 * a copy of the demo workspace that knows it, and code-server with the packaged extension. The
 * emulator starts first, because the workbench's settings and environment point at it.
 */
import { useWorkbench, type WorkbenchFixture, type WorkbenchSuiteOptions } from '../harness/mochaUi';
import { startIntegrationEnvironment, type IntegrationEnvironment, type IntegrationEnvironmentOptions } from '../integration/environment';
import { packagedExtension } from './workbenchPage';

export interface DemoWorkbench {
  readonly fixture: WorkbenchFixture;
  /** The running emulator and workspace (throws before the suite's `before` has started them). */
  environment(): IntegrationEnvironment;
}

/** Call inside `describe`. `userSettings` go to the workbench, `environment` to the emulator and workspace. */
export function useDemoWorkbench(options: { userSettings?: Record<string, unknown>; environment?: IntegrationEnvironmentOptions } = {}): DemoWorkbench {
  let environment: IntegrationEnvironment | undefined;
  const serverOptions: WorkbenchSuiteOptions = {
    vsixPaths: packagedExtension,
    copyWorkspace: false,
    // VS Code for the web saves after a delay by default; typing in a test must not change the demo files.
    userSettings: { 'files.autoSave': 'off', ...options.userSettings },
  };
  // Registered before useWorkbench's own `before`, so mocha runs it first.
  before(async function () {
    this.timeout(60_000);
    environment = await startIntegrationEnvironment(options.environment);
    serverOptions.workspaceFolder = environment.workspaceFolder;
    serverOptions.env = environment.env;
  });
  const fixture = useWorkbench(serverOptions);
  after(async () => {
    await environment?.stop();
  });
  return {
    fixture,
    environment: () => {
      if (!environment) throw new Error('the emulator is not running (the suite setup failed or has not run)');
      return environment;
    },
  };
}
