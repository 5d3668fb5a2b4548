namespace FlowActors.Grains.Interfaces.Secrets;

/// <summary>
/// A secret as grains store it and pass it between silos: sealed with the cluster's Data Protection key ring, so that
/// only a silo of the cluster can open it. Opaque: its text and its bytes never show what it holds.
/// </summary>
/// <param name="Ciphertext">The Data Protection payload (key id, nonce, ciphertext, tag).</param>
[GenerateSerializer, Immutable, Alias("FlowActors.SealedSecret")]
public sealed record SealedSecret([property: Id(0)] byte[] Ciphertext)
{
    public override string ToString() => "SealedSecret { (sealed) }";
}
