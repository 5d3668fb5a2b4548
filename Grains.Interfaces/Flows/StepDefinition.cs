namespace FlowActors.Client;

/// <summary>One step of a flow: which component runs it, which of its triggers or actions, and with what configuration.</summary>
/// <param name="Id">Unique within the flow: letters, digits, '-' and '_'.</param>
/// <param name="ComponentId">The component deployed under this id.</param>
/// <param name="Action">A trigger or action that the component's descriptor lists.</param>
/// <param name="Configuration">A JSON object handed to the component on every call, or null for none.</param>
/// <param name="Delivery">How this step retries failed messages, over the flow's policy; null to take the flow's.</param>
/// <param name="Credential">
/// The named credential (<c>/api/credentials/{id}</c>) the component receives with each call, or null for none. Its
/// values never appear in the definition: only its name.
/// </param>
/// <param name="Mapping">
/// A JSONata expression evaluated on each message before the component sees it (<c>$</c> is the body; <c>$headers</c>,
/// <c>$executionId</c>, <c>$flowId</c>, <c>$stepId</c>, <c>$configuration</c> are bound): its result is the body the
/// component receives. Null: the body as it came.
/// </param>
/// <param name="Each">The mapping's result is an array: the component is called once per element (within the execution's budget).</param>
/// <param name="Concurrency">
/// The most messages in flight to the step's component at once (1 to <see cref="ConcurrencyLimit"/>), never more than the
/// component declares it accepts; null: the silo's default (<c>FlowActors:Steps:DefaultConcurrency</c>, 8).
/// </param>
/// <param name="KeepOrder">
/// True: the component sees one message at a time, in arrival order, and a failed message holds those behind it until
/// it succeeds or gives up (concurrency 1). Null: as the step's or flow's <c>delivery.keepOrder</c> says.
/// </param>
[GenerateSerializer, Immutable, Alias("FlowActors.StepDefinition")]
public sealed record StepDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string ComponentId,
    [property: Id(2)] string Action,
    [property: Id(3)] string? Configuration = null,
    [property: Id(4)] DeliveryPolicy? Delivery = null,
    [property: Id(5)] string? Credential = null,
    [property: Id(8)] string? Mapping = null,
    [property: Id(9)] bool Each = false,
    [property: Id(10)] int? Concurrency = null,
    [property: Id(11)] bool? KeepOrder = null)
{
    /// <summary>The most a step may ask for: one component call carries at most this many messages anyway.</summary>
    public const int ConcurrencyLimit = 256;
}
