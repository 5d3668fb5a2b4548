using System.Security.Cryptography;
using System.Text;
using FlowActors.Client;
using FlowActors.Tests.Credentials;

namespace FlowActors.Tests.Mappings;

/// <summary>
/// The flow the mapping acceptance tests build (through the grains, the HTTP API, CLI files and the SDK), from the sample
/// components only: <c>split</c> maps an order into one message per line (renamed and computed fields, <c>each</c>);
/// lines from DE go to <c>de</c>, the rest to <c>rest</c> (<c>otherwise</c>); <c>de</c> uppercases the customer,
/// <c>rest</c> maps its input again and has the sample signer sign it with the key of the step's credential, which its
/// "API" (configuration <c>keySha256</c>) accepts and no other.
/// </summary>
internal static class MappingFlows
{
    public const string SplitMapping =
        """lines.{ "order": $$.orderId, "sku": sku, "total": qty * price, "country": country, "customer": $$.customer.first & " " & $$.customer.last }""";

    public const string Order =
        """{"orderId":7,"customer":{"first":"ada","last":"lovelace"},"lines":[{"sku":"a","qty":2,"price":3,"country":"DE"},{"sku":"b","qty":1,"price":10,"country":"FR"},{"sku":"c","qty":5,"price":1,"country":"DE"}]}""";

    /// <summary>The credential the acceptance flows name unless told otherwise.</summary>
    public const string Credential = "orders-key";

    /// <summary>The only key the signer's "API" accepts: the value of the credential's <c>apiKey</c> field.</summary>
    public const string Key = "orders-api-key-5e81c0";

    /// <summary>The configuration of <c>rest</c>: the SHA-256 of <see cref="Key"/>, as JSON.</summary>
    public static readonly string SignerConfiguration =
        $$"""{"keySha256":"{{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)))}}"}""";

    private const string RestBody = """{"sku":"b","total":10,"branch":"rest"}""";

    /// <summary>What each branch outputs for <see cref="Order"/>, by the step that output it (the credential at revision 1).</summary>
    public static readonly (string Step, string Body)[] Outputs =
    [
        ("de", """{"order":7,"sku":"a","total":6,"country":"DE","customer":"ADA LOVELACE"}"""),
        ("rest", $$"""{"sku":"b","total":10,"branch":"rest","signature":"{{CredentialScenarios.SignatureOf(Key, RestBody)}}","credentialRevision":1}"""),
        ("de", """{"order":7,"sku":"c","total":5,"country":"DE","customer":"ADA LOVELACE"}"""),
    ];

    public static FlowDefinition Orders(string credential = Credential) => new(
        "orders by country",
        [
            new StepDefinition("split", "echo", "echo", Mapping: SplitMapping, Each: true),
            new StepDefinition("de", "transform", "uppercase", """{"field":"customer"}"""),
            new StepDefinition("rest", "signer", "sign", SignerConfiguration, Mapping: """{ "sku": sku, "total": total, "branch": "rest" }""", Credential: credential),
        ],
        [
            new FlowEdge("split", "de", When: """country = "DE" """),
            new FlowEdge("split", "rest", Otherwise: true),
        ]);
}
