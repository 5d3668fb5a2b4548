namespace FlowActors.Grains.Secrets;

/// <summary>A stored secret could not be opened: the key ring that sealed it is not this silo's (or was lost).</summary>
[GenerateSerializer, Alias("FlowActors.SecretUnreadableException")]
public sealed class SecretUnreadableException(string message, Exception innerException) : Exception(message, innerException);
