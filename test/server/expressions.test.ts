// C# policy expressions through the language server over stdio: the bundled
// server loads the C# parser's WebAssembly from dist/ and then completes,
// explains and checks expressions. The parser loads asynchronously, so each
// test polls for the answer that needs it.
import * as assert from 'node:assert/strict';
import type { CompletionList } from 'vscode-languageserver-protocol/node';
import { waitFor } from '../harness/wait';
import { atCursor } from '../unit/support/cursor';
import { LspSession } from './support/lspSession';

const inInbound = (body: string): string => `<policies>\n  <inbound>\n    ${body}\n  </inbound>\n</policies>\n`;

describe('language server over stdio: policy expressions', function () {
  this.timeout(30_000);
  let session: LspSession;
  let counter = 0;
  const nextUri = (): string => `file:///workspace/expressions-${++counter}.policy.xml`;

  beforeEach(async () => {
    session = await LspSession.start();
  });
  afterEach(async () => {
    await session.stop();
  });

  /** Completion at the cursor, asked again until the C# parser has loaded and members come back. */
  async function membersAt(uri: string, offset: number): Promise<CompletionList> {
    let list: CompletionList | undefined;
    await waitFor(
      async () => {
        list = await session.completion(uri, offset);
        return list.items.length > 0;
      },
      { description: 'C# completion', timeoutMs: 15_000, intervalMs: 50 },
    );
    return list!;
  }

  it('completes the members of context and of context.Request after a dot', async () => {
    const uri = nextUri();
    const { text, offset } = atCursor(inInbound('<set-variable name="a" value="@(context.|)" />'));
    await session.open(uri, text);
    const context = (await membersAt(uri, offset)).items.map((i) => i.label);
    for (const member of ['Request', 'Response', 'Variables', 'User', 'Subscription']) assert.ok(context.includes(member), member);
    const request = await session.completion(uri, offset);
    assert.equal(request.isIncomplete, false);

    await session.edit(uri, offset, offset, 'Request.');
    const members = (await membersAt(uri, offset + 'Request.'.length)).items;
    const headers = members.find((i) => i.label === 'Headers');
    assert.ok(headers, 'Headers');
    assert.match(headers.detail ?? '', /IReadOnlyDictionary<string, string\[\]>/);
    assert.ok(!members.some((i) => i.label === 'Request'), 'members of IRequest, not of context');
  });

  it('hovers a member with its signature and documentation link', async () => {
    const uri = nextUri();
    const text = inInbound('<set-variable name="a" value="@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;&quot;))" />');
    await session.open(uri, text);
    let value = '';
    await waitFor(
      async () => {
        const hover = await session.hover(uri, text.indexOf('GetValueOrDefault') + 3);
        value = (hover?.contents as { value?: string } | undefined)?.value ?? '';
        return value.includes('GetValueOrDefault');
      },
      { description: 'C# hover', timeoutMs: 15_000, intervalMs: 50 },
    );
    assert.match(value, /string GetValueOrDefault\(string name, string defaultValue\)/);
    assert.match(value, /learn\.microsoft\.com/);
  });

  it('helps with the signature of the call being typed', async () => {
    const uri = nextUri();
    const { text, offset } = atCursor(inInbound('<set-variable name="a" value="@(context.Variables.GetValueOrDefault<string>(&quot;a&quot;, |))" />'));
    await session.open(uri, text);
    const help = await waitFor(
      async () => {
        const answer = await session.signatureHelp(uri, offset);
        return answer?.signatures.length ? answer : undefined;
      },
      { description: 'signature help', timeoutMs: 15_000, intervalMs: 50 },
    );
    const active = help.signatures[help.activeSignature ?? 0];
    assert.match(active.label, /GetValueOrDefault\(string variableName, string defaultValue\)/);
    assert.equal(help.activeParameter, 1);
  });

  it('publishes expression diagnostics once the parser is ready, and clears them when fixed', async () => {
    const uri = nextUri();
    const text = inInbound('<set-variable name="a" value="@(context.User.EmailAddress)" />');
    await session.open(uri, text);
    const diagnostics = await session.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'unknown-member'), 15_000);
    const problem = diagnostics.find((d) => d.code === 'unknown-member');
    assert.match(typeof problem?.message === 'string' ? problem.message : '', /EmailAddress/);
    assert.equal(problem?.severity, 1);
    const at = text.indexOf('EmailAddress');
    await session.edit(uri, at, at + 'EmailAddress'.length, 'Email');
    assert.deepEqual(await session.waitForDiagnostics(uri, () => true), []);
  });
});
