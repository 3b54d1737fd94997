// UI smoke, driven from plain Node: code-server with the extension under test (the real .vsix
// when `npm run package` has built it, else the harness's hello fixture), the workbench in
// headless Chromium, and a person's actions: look, open a file, run a command, type.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { useWorkbench } from '../harness/mochaUi';
import { harnessSourceDir } from '../harness/paths';
import { extensionUnderTest } from '../harness/vsix';

describe('workbench UI smoke', () => {
  const fixture = useWorkbench({
    vsixPaths: async () => [(await extensionUnderTest()).vsixPath],
    workspaceFolder: path.join(harnessSourceDir(), 'fixtures', 'workspace'),
    copyWorkspace: true,
  });

  it('renders the activity bar and the Explorer with the workspace files', async () => {
    const { workbench } = fixture;
    assert.equal(await workbench.page.locator('.part.activitybar').isVisible(), true);
    await workbench.waitForText('.part.sidebar .composite.title', /explorer/i);
    const tree = workbench.page.locator('.explorer-folders-view');
    await workbench.waitForText(tree, 'policies');
    await workbench.waitForText(tree, 'README.md');
    await workbench.screenshot('ui-smoke-workbench');
  });

  it('opens a policy file through Quick Open, in the language the extension contributes', async () => {
    const { workbench } = fixture;
    await workbench.openFile('policies/sample.policy.xml');
    await workbench.waitForText(workbench.activeEditor().locator('.view-lines'), '<set-header name="x-harness"');
    await workbench.waitForText('#status\\.editor\\.mode', 'APIM Policy');
    await workbench.screenshot('ui-smoke-policy-file');
  });

  it('runs a command from the palette and types into the editor it opened', async () => {
    const { workbench } = fixture;
    await workbench.runCommand('File: New Untitled Text File');
    await workbench.waitForActiveTab('Untitled-1');
    await workbench.typeInEditor('typed by the harness');
    await workbench.waitForText(workbench.activeEditor().locator('.view-lines'), 'typed by the harness');
    await workbench.screenshot('ui-smoke-command');
  });
});
