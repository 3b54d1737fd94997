/**
 * Synthetic policy documents for benchmarks: realistic statements (headers
 * with expressions, choose/when, send-request, multi-line @{ } bodies,
 * named values) repeated until the document reaches the requested size.
 */

const STATEMENTS: Array<(i: number) => string> = [
  (i) => `<set-header name="x-correlation-${i}" exists-action="override">
        <value>@(context.Request.Headers.GetValueOrDefault("x-correlation-id", Guid.NewGuid().ToString()))</value>
      </set-header>`,
  (i) => `<set-variable name="tenant${i}" value="@(context.Request.Headers.GetValueOrDefault(&quot;x-tenant&quot;, &quot;&quot;).Length > 0 && ${i} < 1000)" />`,
  (i) => `<choose>
        <when condition="@(context.Variables.GetValueOrDefault<string>("tenant${i}", "") == "contoso")">
          <set-backend-service base-url="{{backend-url}}/tenants/${i}" />
        </when>
        <otherwise>
          <rate-limit-by-key calls="${100 + (i % 50)}" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />
        </otherwise>
      </choose>`,
  (i) => `<send-request mode="new" response-variable-name="lookup${i}" timeout="20" ignore-error="true">
        <set-url>@($"{{lookup-base}}/items/{context.Request.MatchedParameters["id"]}?v=${i}")</set-url>
        <set-method>GET</set-method>
        <set-header name="Authorization" exists-action="override">
          <value>Bearer {{lookup-token}}</value>
        </set-header>
      </send-request>`,
  (i) => `<set-body>@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        body["stage"] = "${i}";
        if (body["items"] is JArray items && items.Count > 0) { body["first"] = items[0]; }
        return body.ToString();
      }</set-body>`,
  (i) => `<!-- step ${i}: keep the cache warm for lookups -->
      <cache-lookup-value key="@("lookup-" + context.Request.Url.Query.GetValueOrDefault("q", "${i}"))" variable-name="cached${i}" />`,
];

/** A `<policies>` document of roughly `targetSize` characters. */
export function generatePolicy(targetSize: number): string {
  const head = '<policies>\n  <inbound>\n    <base />\n';
  const middle = '  </inbound>\n  <backend>\n    <forward-request timeout="60" />\n  </backend>\n  <outbound>\n    <base />\n';
  const tail = '  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n';
  const inbound: string[] = [];
  const outbound: string[] = [];
  let size = head.length + middle.length + tail.length;
  for (let i = 0; size < targetSize; i++) {
    const statement = `    ${STATEMENTS[i % STATEMENTS.length](i)}\n`;
    // Keep most statements inbound, as real policies do, with a share in outbound.
    (i % 4 === 3 ? outbound : inbound).push(statement.replace(/<send-request[\s\S]*<\/send-request>/, (m) => (i % 4 === 3 ? '<set-status code="200" reason="OK" />' : m)));
    size += statement.length;
  }
  return head + inbound.join('') + middle + outbound.join('') + tail;
}
