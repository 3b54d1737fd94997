import * as assert from 'node:assert/strict';
import type { HoverResult } from '../../server/src/language/languageService';
import { InstanceIndex } from '../../server/src/language/languageService';
import { TEST_INSTANCE_ID, testInstance } from '../support/instanceFixture';
import { atCursor, inSection, languageService, parse } from './support/cursor';

function hover(source: string, instance?: InstanceIndex): HoverResult | undefined {
  const { text, offset } = atCursor(source);
  return languageService().doHover(parse(text), offset, instance);
}

describe('hover', () => {
  it('describes a policy with sections, scopes, gateways and its docs page', () => {
    const result = hover(inSection('inbound', '<rate-li|mit calls="5" renewal-period="60" />'));
    assert.ok(result);
    assert.match(result.markdown, /\*\*<rate-limit>\*\*/);
    assert.match(result.markdown, /\*\*Sections:\*\* inbound/);
    assert.match(result.markdown, /\*\*Scopes:\*\*/);
    assert.match(result.markdown, /\*\*Gateways:\*\*/);
    assert.match(result.markdown, /\(https:\/\/learn\.microsoft\.com\/azure\/api-management\/rate-limit-policy\)/);
  });

  it('describes the element under an end tag too', () => {
    assert.match(hover(inSection('inbound', '<choose></cho|ose>'))?.markdown ?? '', /<choose>/);
  });

  it('describes sections, base and child elements', () => {
    assert.match(hover('<policies><inbo|und /></policies>')?.markdown ?? '', /incoming request/);
    assert.match(hover(inSection('inbound', '<ba|se />'))?.markdown ?? '', /enclosing scope/);
    assert.match(hover(inSection('inbound', '<choose><wh|en condition="@(true)" /></choose>'))?.markdown ?? '', /\*\*<when>\*\* in `<choose>`/);
  });

  it('describes an attribute: required, allowed values, default, expressions', () => {
    const result = hover(inSection('inbound', '<set-header name="a" exists-ac|tion="skip" />'));
    assert.ok(result);
    assert.match(result.markdown, /\*\*exists-action\*\*/);
    assert.match(result.markdown, /Optional/);
    assert.match(result.markdown, /`override`, `skip`, `append`, `delete`/);
    assert.match(result.markdown, /\*\*Default:\*\* `override`/);
    assert.match(result.markdown, /\*\*Policy expressions:\*\*/);
  });

  it('describes a named value from the instance without secret values', () => {
    const instance = new InstanceIndex(testInstance());
    const plain = hover(inSection('inbound', '<set-header name="{{back|end-url}}" />'), instance);
    assert.match(plain?.markdown ?? '', /plain/);
    assert.match(plain?.markdown ?? '', /orders\.contoso\.example/);
    const secret = hover(inSection('inbound', '<set-header name="{{client-sec|ret}}" />'), instance);
    assert.match(secret?.markdown ?? '', /secret — value hidden/);
    const kv = hover(inSection('inbound', '<set-header name="{{partner-tok|en}}" />'), instance);
    assert.match(kv?.markdown ?? '', /Secret identifier:\*\* https:\/\/contoso-vault/);
    assert.match(kv?.markdown ?? '', /Forbidden — The managed identity lacks permission/);
    assert.match(kv?.markdown ?? '', /user-assigned \(client id 11111111/);
    // A link that runs the Key Vault doctor on exactly this named value of this instance.
    const link = /\[Diagnose this Key Vault reference…\]\(command:apimPolicy\.diagnoseKeyVaultReference\?([^)]+)\)/.exec(kv?.markdown ?? '');
    assert.ok(link, kv?.markdown);
    assert.deepEqual(JSON.parse(decodeURIComponent(link[1])), [{ instanceId: TEST_INSTANCE_ID, name: 'kv-partner-token' }]);
    assert.doesNotMatch(plain?.markdown ?? '', /command:/, 'no doctor link on plain values');
    const missing = hover(inSection('inbound', '<set-header name="{{nope|}}" />'), instance);
    assert.match(missing?.markdown ?? '', /not a named value of contoso-test/);
  });

  it('matches named values regardless of case, as APIM does, preferring the exact name', () => {
    const instance = new InstanceIndex(
      testInstance({
        namedValues: [
          { name: 'a', displayName: 'Foo', kind: 'plain', value: 'upper' },
          { name: 'b', displayName: 'foo', kind: 'secret' },
          { name: 'c', displayName: 'Region', kind: 'plain', value: 'west' },
        ],
      }),
    );
    const upper = hover(inSection('inbound', '<set-header name="{{F|oo}}" />'), instance)?.markdown ?? '';
    assert.match(upper, /upper/);
    assert.match(upper, /Differs only by case:\*\* `foo` \(secret\) also exists/);
    const lower = hover(inSection('inbound', '<set-header name="{{f|oo}}" />'), instance)?.markdown ?? '';
    assert.match(lower, /value hidden/);
    assert.match(lower, /`Foo` \(plain\) also exists/);
    const shouted = hover(inSection('inbound', '<set-header name="{{REG|ION}}" />'), instance)?.markdown ?? '';
    assert.match(shouted, /west/);
    assert.match(shouted, /Written `\{\{REGION\}\}`; API Management ignores case in named value names and uses `Region`/);
    assert.doesNotMatch(hover(inSection('inbound', '<set-header name="{{Reg|ion}}" />'), instance)?.markdown ?? '', /ignores case|Differs/);
  });

  it('says a named value set aside for malformed metadata exists, and validation stays silent on it', () => {
    const instance = new InstanceIndex(testInstance(), ['Broken-One']);
    const source = inSection('inbound', '<set-header name="{{broken-o|ne}}" />');
    assert.match(hover(source, instance)?.markdown ?? '', /arrived malformed and were set aside/);
    const { text } = atCursor(source);
    assert.deepEqual(languageService().doValidation(parse(text), instance), []);
  });

  it('covers exactly the {{reference}}', () => {
    const { text, offset } = atCursor(inSection('inbound', '<set-header name="x-{{api-ver|sion}}-y" />'));
    const result = languageService().doHover(parse(text), offset, new InstanceIndex(testInstance()));
    assert.ok(result);
    assert.equal(text.slice(result.start, result.end), '{{api-version}}');
  });

  it('describes the entity an attribute names', () => {
    const instance = new InstanceIndex(testInstance());
    assert.match(hover(inSection('inbound', '<set-backend-service backend-id="orders-back|end" />'), instance)?.markdown ?? '', /URL: https:\/\/orders\.contoso\.example/);
    assert.match(hover(inSection('inbound', '<set-backend-service backend-id="gone-back|end" />'), instance)?.markdown ?? '', /no backend with this name/);
  });

  it('returns nothing in plain text', () => {
    assert.equal(hover(inSection('outbound', '<set-body>some te|xt</set-body>')), undefined);
  });
});
