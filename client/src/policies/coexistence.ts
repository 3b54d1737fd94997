/**
 * Red Hat's XML extension (also installed with Microsoft's Azure API
 * Management extension, which depends on it) validates policy files as plain
 * XML and reports schema errors on valid raw XML. When it is installed, offer
 * once to turn its validation off for policy files, through its documented
 * `xml.validation.filters` setting, in the user's settings.
 */
import * as vscode from 'vscode';
import { SETTINGS } from '../contributions';
import { missingFilters } from './xmlValidationFilters';

export const RED_HAT_XML = 'redhat.vscode-xml';
export const AZURE_APIM = 'ms-azuretools.vscode-apimanagement';
const TURN_OFF = 'Turn Off for Policy Files';
const NO = 'Keep It';

export async function offerToSilenceXmlValidation(context: vscode.ExtensionContext): Promise<void> {
  if (!vscode.workspace.getConfiguration().get<boolean>(SETTINGS.offerXmlValidationOff, true)) return;
  if (!vscode.extensions.getExtension(RED_HAT_XML)) return;
  const key = 'apimPolicy.xmlValidationOffered';
  if (context.globalState.get<boolean>(key)) return;
  const xml = vscode.workspace.getConfiguration('xml.validation');
  const missing = missingFilters(xml.get('filters'));
  if (missing.length === 0) return;
  await context.globalState.update(key, true);
  const by = vscode.extensions.getExtension(AZURE_APIM) ? "Red Hat's XML extension (installed with the Azure API Management extension)" : "Red Hat's XML extension";
  const choice = await vscode.window.showInformationMessage(
    `${by} validates policy files as plain XML and reports errors on valid policies. Turn its validation off for *.policy.xml and policy.xml files? (Your other XML files stay validated.)`,
    TURN_OFF, NO,
  );
  // Asked once, whatever the answer; the README says how to do it by hand later.
  if (choice === TURN_OFF) {
    const current = xml.inspect<unknown[]>('filters')?.globalValue;
    await xml.update('filters', [...(Array.isArray(current) ? current : []), ...missing], vscode.ConfigurationTarget.Global);
  }
}
