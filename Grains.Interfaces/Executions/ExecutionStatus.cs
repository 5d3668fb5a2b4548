namespace FlowActors.Client;

/// <summary>How an execution went, as far as its events tell. An error wins over any output.</summary>
[GenerateSerializer, Alias("FlowActors.ExecutionStatus")]
public enum ExecutionStatus
{
    /// <summary>It produced outputs and no error.</summary>
    Succeeded = 0,

    /// <summary>It answered the HTTP request that started it, and reported no error.</summary>
    Replied = 1,

    /// <summary>A step failed.</summary>
    Failed = 2,
}
