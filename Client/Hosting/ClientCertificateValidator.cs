using Microsoft.Extensions.Options;

namespace FlowActors.Client.Hosting;

/// <summary>
/// Refuses, at start, SDK options whose client certificate cannot be loaded, naming the setting. Only
/// <c>AddFlowActorsClient</c> registers it: a silo's own client needs no certificate.
/// </summary>
internal sealed class ClientCertificateValidator(string contentRoot) : IValidateOptions<FlowActorsClientOptions>
{
    public const string Section = FlowActorsClientOptions.Section + ":Tls";

    public ValidateOptionsResult Validate(string? name, FlowActorsClientOptions options)
    {
        try
        {
            ClusterTls.Load(options.Tls, contentRoot, Section);
            return ValidateOptionsResult.Success;
        }
        catch (OptionsValidationException e)
        {
            return ValidateOptionsResult.Fail(e.Failures);
        }
    }
}
