using FlowActors.Mappings;

namespace FlowActors.Tests.Mappings;

/// <summary>The JSONata engine on its own: jsonata's semantics, its errors, and the limits that keep a hostile expression to itself.</summary>
[TestClass]
public sealed class JsonataEngineTests
{
    private static readonly JsonataLimits ShortLimits = new(TimeSpan.FromMilliseconds(500), 32L * 1024 * 1024);

    [TestMethod]
    public void Evaluate_RenamesAndComputesFields_AsTheJsonataPackageDoes()
    {
        using var engine = new JsonataEngine();
        var (index, error) = engine.Compile("{ 'who': $uppercase(first & ' ' & last), 'total': $sum(items.price) }");
        Assert.IsNull(error);

        var value = engine.Evaluate([index], [new JsonataInput("""{"first":"ada","last":"lovelace","items":[{"price":2},{"price":3}]}""")])[0];

        Assert.AreEqual("""{"who":"ADA LOVELACE","total":5}""", value.Json);
    }

    [TestMethod]
    public void Evaluate_BindsHeadersExecutionIdAndConstants()
    {
        using var engine = new JsonataEngine();
        var (index, _) = engine.Compile("[$headers.source, $executionId, $flowId, $configuration.prefix & name]");

        var value = engine.Evaluate(
            [index],
            [new JsonataInput("""{"name":"lin"}""", new Dictionary<string, string> { ["source"] = "crm" }, "e-1")],
            """{"flowId":"orders","configuration":{"prefix":"Ms "}}""")[0];

        Assert.AreEqual("""["crm","e-1","orders","Ms lin"]""", value.Json);
    }

    [TestMethod]
    public void Evaluate_AsCondition_ReadsResultsAsJsonataBoolean()
    {
        using var engine = new JsonataEngine();
        var (index, _) = engine.Compile("country = 'DE'");
        var (missing, _) = engine.Compile("nothing.here");

        var values = engine.Evaluate([index, missing], [new JsonataInput("""{"country":"DE"}"""), new JsonataInput("""{"country":"FR"}""")], test: true);

        CollectionAssert.AreEqual(new[] { "true", "false", "false", "false" }, values.Select(v => v.Json).ToArray());
    }

    [TestMethod]
    public void Compile_ASyntaxError_NamesJsonatasCodeAndPosition()
    {
        using var engine = new JsonataEngine();

        var (_, error) = engine.Compile("{ 'a': name, }");

        Assert.IsNotNull(error);
        Assert.AreEqual("S0211", error.Code, error.ToString());
        Assert.AreEqual(14, error.Position, error.ToString());
    }

    [TestMethod]
    public void Compile_AnExpressionOverTheLengthLimit_IsRefusedUnread()
    {
        using var engine = new JsonataEngine();

        var (_, error) = engine.Compile("'" + new string('x', 1024 * 1024) + "'");

        Assert.IsNotNull(error);
        StringAssert.Contains(error.Message, "at most 65536");
    }

    [TestMethod]
    public void Evaluate_UnboundedRecursion_StopsAtTheTimeLimit_AndTheEngineServesTheNextCall()
    {
        using var engine = new JsonataEngine(ShortLimits);
        var (runaway, _) = engine.Compile("($f := function(){$f()}; $f())");
        var (rename, _) = engine.Compile("{ 'n': name }");

        var stopped = engine.Evaluate([runaway], [new JsonataInput("{}")])[0];
        var next = engine.Evaluate([rename], [new JsonataInput("""{"name":"ada"}""")])[0];

        Assert.AreEqual(ExpressionError.TimeoutCode, stopped.Error?.Code, stopped.ToString());
        Assert.AreEqual(1, engine.Rebuilds);
        Assert.AreEqual("""{"n":"ada"}""", next.Json, "the rebuilt engine compiled its expressions again");
    }

    [TestMethod]
    public void Evaluate_AHugeRange_IsJsonatasOwnError()
    {
        using var engine = new JsonataEngine(ShortLimits);
        var (index, _) = engine.Compile("[1..100000000]");

        var value = engine.Evaluate([index], [new JsonataInput("{}")])[0];

        Assert.AreEqual("D2014", value.Error?.Code, value.ToString());
        Assert.AreEqual(0, engine.Rebuilds);
    }

    [TestMethod]
    public void Evaluate_UnboundedAllocation_StopsAtTheHeapLimit_AndTheEngineIsRebuilt()
    {
        using var engine = new JsonataEngine(new JsonataLimits(TimeSpan.FromSeconds(20), 32L * 1024 * 1024));
        var (hog, _) = engine.Compile("$count([1..10000000].{'a': $string($)})");
        var (rename, _) = engine.Compile("{ 'n': name }");

        var stopped = engine.Evaluate([hog], [new JsonataInput("{}")])[0];
        var next = engine.Evaluate([rename], [new JsonataInput("""{"name":"ada"}""")])[0];

        Assert.AreEqual(ExpressionError.MemoryCode, stopped.Error?.Code, stopped.ToString());
        Assert.AreEqual("""{"n":"ada"}""", next.Json);
    }

    [TestMethod]
    public void Evaluate_ABatchWithOneRunawayInput_FailsThatInputOnly()
    {
        using var engine = new JsonataEngine(ShortLimits);
        var (index, _) = engine.Compile("loop ? ($f := function(){$f()}; $f()) : name");

        var values = engine.Evaluate([index], [new JsonataInput("""{"name":"a"}"""), new JsonataInput("""{"loop":true}"""), new JsonataInput("""{"name":"c"}""")]);

        Assert.AreEqual("\"a\"", values[0].Json);
        Assert.AreEqual(ExpressionError.TimeoutCode, values[1].Error?.Code);
        Assert.AreEqual("\"c\"", values[2].Json);
    }
}
