// The walkthrough's `{{` step recognises named-value completion by the items' data; this checks
// that recogniser against what the real server (`node dist/server.js --stdio`) answers.
import * as assert from 'node:assert/strict';
import { isNamedValueCompletion } from '../../client/src/walkthrough/progress';
import { testInstance } from '../support/instanceFixture';
import { atCursor } from '../unit/support/cursor';
import { LspSession } from './support/lspSession';

describe('language server answers as the walkthrough expects', function () {
  this.timeout(30_000);
  let session: LspSession;

  before(async () => {
    session = await LspSession.start();
    await session.sendMetadata(testInstance());
  });
  after(async () => {
    await session.stop();
  });

  async function itemsAt(name: string, source: string) {
    const { text, offset } = atCursor(source);
    const uri = `file:///workspace/${name}.policy.xml`;
    await session.open(uri, text);
    return (await session.completion(uri, offset)).items;
  }

  it('marks the items offered after {{ as named values', async () => {
    const items = await itemsAt('braces', '<policies><inbound><set-header name="x"><value>{{|</value></set-header></inbound></policies>');
    assert.ok(items.length > 0);
    assert.equal(isNamedValueCompletion(items), true);
  });

  it('does not mark policies, attributes or entities', async () => {
    const cases = {
      policies: '<policies>\n  <inbound>\n    <|\n  </inbound>\n</policies>',
      attributes: '<policies><inbound><set-header |/></inbound></policies>',
      entities: '<policies><inbound><set-backend-service backend-id="|" /></inbound></policies>',
    };
    for (const [name, source] of Object.entries(cases)) {
      const items = await itemsAt(name, source);
      assert.ok(items.length > 0, `${name}: the server offers something`);
      assert.equal(isNamedValueCompletion(items), false, name);
    }
  });
});
