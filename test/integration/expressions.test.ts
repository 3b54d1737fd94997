// C# policy expressions in the extension host: completion, hover, signature help and
// diagnostics through VS Code's command layer, served by the packaged language server
// (which loads the C# parser's WebAssembly shipped in the .vsix).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { completionLabel, connectedApi, diagnosticCode, hasDiagnostic, hoverText, openWorkspaceFile, positionOf, rangeOf, resetInstance, scratchFile, until, waitForDiagnostics } from './support/host';

const ORDERS_API_POLICY = 'apimartifacts/apis/orders-api/policy.xml';
const GET_ORDER_POLICY = 'apimartifacts/apis/orders-api/operations/get-order/policy.xml';

/** Completion at a position, asked again until the server answers with items (the C# parser loads after start). */
function completionsAt(document: vscode.TextDocument, position: vscode.Position, accept: (labels: string[]) => boolean, description: string): Promise<string[]> {
  return until(async () => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position, '.');
    const labels = list.items.map(completionLabel);
    return accept(labels) ? labels : undefined;
  }, description);
}

describe('policy expressions', () => {
  before(async function () {
    this.timeout(90_000);
    await resetInstance(await connectedApi());
  });

  it('completes the members of context and of context.Request after a dot', async () => {
    const text = '<policies>\n  <inbound>\n    <set-variable name="a" value="@(context.)" />\n    <set-variable name="b" value="@(context.Request.)" />\n  </inbound>\n</policies>\n';
    const document = await scratchFile('expression-completion.policy.xml', text);
    const context = await completionsAt(document, positionOf(document, '@(context.', { at: 'end' }), (l) => l.includes('Request'), 'context members after @(context.');
    for (const member of ['Api', 'Operation', 'Product', 'Request', 'Response', 'Subscription', 'User', 'Variables']) assert.ok(context.includes(member), `${member} in ${context.join(', ')}`);
    assert.ok(!context.includes('api-version'), 'no word-based guesses');
    const request = await completionsAt(document, positionOf(document, '@(context.Request.', { at: 'end' }), (l) => l.includes('Headers'), 'IRequest members after @(context.Request.');
    for (const member of ['Body', 'Headers', 'IpAddress', 'MatchedParameters', 'Method', 'OriginalUrl', 'Url']) assert.ok(request.includes(member), member);
    assert.ok(!request.includes('Variables'), 'the members of IRequest, not of context');
  });

  it('hovers a member of an expression with its signature and documentation', async () => {
    const document = await openWorkspaceFile(ORDERS_API_POLICY);
    const at = positionOf(document, 'Request.Headers', { at: 'start' }).translate(0, 'Request.He'.length);
    const text = await until(async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, at);
      const value = hoverText(hovers);
      return value.includes('IRequest.Headers') ? value : undefined;
    }, 'hover on context.Request.Headers');
    assert.match(text, /IReadOnlyDictionary<string, string\[\]> IRequest\.Headers/);
    assert.match(text, /learn\.microsoft\.com/);
  });

  it('shows the signature of GetValueOrDefault while its arguments are typed', async () => {
    const document = await openWorkspaceFile(ORDERS_API_POLICY);
    const at = positionOf(document, '"x-partner", ', { at: 'end' });
    const help = await until(async () => {
      const result = await vscode.commands.executeCommand<vscode.SignatureHelp | undefined>('vscode.executeSignatureHelpProvider', document.uri, at, ',');
      return result?.signatures.length ? result : undefined;
    }, 'signature help in GetValueOrDefault(');
    assert.equal(help.signatures[help.activeSignature].label, 'GetValueOrDefault(string name, string defaultValue)');
    assert.equal(help.activeParameter, 1);
  });

  it('reports unknown-member for context.User.EmailAddress in the demo policy, and nothing in the valid expressions', async () => {
    const document = await openWorkspaceFile(GET_ORDER_POLICY);
    const member = rangeOf(document, 'EmailAddress');
    const diagnostics = await waitForDiagnostics(document.uri, (list) => hasDiagnostic(list, 'unknown-member', member), 'unknown-member on EmailAddress');
    const problem = diagnostics.find((d) => diagnosticCode(d) === 'unknown-member');
    assert.equal(problem?.severity, vscode.DiagnosticSeverity.Error);
    assert.match(problem?.message ?? '', /'IUser' has no member 'EmailAddress'\. Did you mean 'Email'\?/);
    const orders = await openWorkspaceFile(ORDERS_API_POLICY);
    await waitForDiagnostics(orders.uri, (list) => list.length > 0, 'the orders policy validated');
    const expressionCodes = ['expression-syntax', 'unknown-identifier', 'unknown-member', 'type-not-allowed', 'missing-return'];
    assert.deepEqual(vscode.languages.getDiagnostics(orders.uri).filter((d) => expressionCodes.includes(diagnosticCode(d))), []);
  });
});
