using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// What each sample action reads from its step's configuration (a JSON Schema) and a sample input: the components
/// declare them (<c>GET /descriptor</c>) and the silo's sample deployments carry the same, so the console's designer
/// shows a form for them (docs/components.md).
/// </summary>
public static class SampleDescriptions
{
    public static readonly ActionDescription Uppercase = new(
        """
        {"type":"object","title":"Uppercase","properties":{
          "field":{"type":"string","title":"Field","description":"The top-level string field to uppercase; every one when empty.","maxLength":64}},
         "additionalProperties":false}
        """,
        """{"name":"ada","city":"london"}""",
        "Uppercase a field");

    public static readonly ActionDescription Delay = new(
        """
        {"type":"object","title":"Delay","properties":{
          "ms":{"type":"integer","title":"Wait (ms)","description":"How long to wait before passing the body on, like a call to a slow API.","minimum":0,"maximum":60000}},
         "additionalProperties":false}
        """,
        """{"name":"ada"}""",
        "Wait, then pass on");

    public static readonly ActionDescription Echo = new(SampleInput: """{"name":"ada"}""", Title: "Pass the body on");

    public static readonly ActionDescription Reply = new(
        """
        {"type":"object","title":"Reply","properties":{
          "status":{"type":"integer","title":"HTTP status","minimum":200,"maximum":599,"default":200}},
         "additionalProperties":false}
        """,
        """{"name":"ada"}""",
        "Answer the webhook");

    public static readonly ActionDescription Split = new(SampleInput: """[{"sku":"a-1","qty":2},{"sku":"b-7","qty":1}]""", Title: "One message per element");

    public static readonly ActionDescription MaybeFail = new(
        SampleInput: """{"name":"ada","fail":"none"}""",
        Title: "Fail as the body says");

    public static readonly ActionDescription Count = new(
        """
        {"type":"object","title":"Counter","properties":{
          "start":{"type":"integer","title":"First number","default":1},
          "per":{"type":"integer","title":"Numbers per tick","minimum":1,"maximum":1000,"default":1},
          "delayMs":{"type":"integer","title":"Delay per tick (ms)","minimum":0}},
         "additionalProperties":false}
        """,
        """{}""",
        "Count on each tick");

    public static readonly ActionDescription Sign = new(
        """
        {"type":"object","title":"Signer","required":["keySha256"],"properties":{
          "keySha256":{"type":"string","title":"SHA-256 of the accepted key","pattern":"^[0-9a-f]{64}$"}},
         "additionalProperties":false}
        """,
        """{"order":42,"total":99.5}""",
        "Sign the body with the credential's key");

    /// <summary>The descriptions of one sample component's actions, by action name (none for an unknown component).</summary>
    public static IReadOnlyDictionary<string, ActionDescription> For(string component) => component switch
    {
        "transform" => new Dictionary<string, ActionDescription> { ["uppercase"] = Uppercase },
        "delay" => new Dictionary<string, ActionDescription> { ["delay"] = Delay },
        "echo" => new Dictionary<string, ActionDescription> { ["echo"] = Echo, ["reply"] = Reply, ["split"] = Split },
        "faulty" => new Dictionary<string, ActionDescription> { ["maybeFail"] = MaybeFail },
        "counter" => new Dictionary<string, ActionDescription> { ["count"] = Count },
        "signer" => new Dictionary<string, ActionDescription> { ["sign"] = Sign },
        _ => new Dictionary<string, ActionDescription>(),
    };
}
