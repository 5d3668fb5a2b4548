using Microsoft.Extensions.Options;

namespace FlowActors.Containers.Docker;

/// <summary>Rejects Docker runtime settings at start-up, naming the setting and a value that works.</summary>
internal sealed class DockerRuntimeOptionsValidator : IValidateOptions<DockerRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, DockerRuntimeOptions options)
    {
        var failures = new List<string>();
        var section = DockerRuntimeOptions.SectionName;
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("unix" or "tcp" or "http" or "npipe"))
        {
            failures.Add($"{section}:Endpoint '{options.Endpoint}' is not an engine address; use unix:///var/run/docker.sock or tcp://127.0.0.1:2375.");
        }

        if (!Version.TryParse(options.MaxApiVersion, out _))
        {
            failures.Add($"{section}:MaxApiVersion '{options.MaxApiVersion}' is not a version; use e.g. 1.41.");
        }

        if (string.IsNullOrWhiteSpace(options.Network) || options.Network is "host" or "bridge" or "default")
        {
            failures.Add($"{section}:Network '{options.Network}' would put components beside the silo's ports or on the engine's default bridge; " +
                "use none (the default) or a user-defined network whose firewall keeps the silos' addresses out of reach.");
        }

        Positive(options.ApiTimeout, nameof(options.ApiTimeout), "30 seconds");
        Positive(options.StopTimeout, nameof(options.StopTimeout), "5 seconds");
        Positive(options.ProbeTimeout, nameof(options.ProbeTimeout), "2 seconds");
        if (options.MemoryMegabytes < 16)
        {
            failures.Add($"{section}:MemoryMegabytes {options.MemoryMegabytes} is too small for any component; use 64 or more (default 256).");
        }

        if (options.Cpus is <= 0 or > 1024)
        {
            failures.Add($"{section}:Cpus {options.Cpus} must be a positive number of cores, e.g. 0.5 or 1.");
        }

        if (options.PidsLimit < 8)
        {
            failures.Add($"{section}:PidsLimit {options.PidsLimit} leaves no room for a component's threads; use 64 or more (default 128).");
        }

        if (options.TmpfsMegabytes < 1 || options.TmpfsMegabytes >= options.MemoryMegabytes)
        {
            failures.Add($"{section}:TmpfsMegabytes {options.TmpfsMegabytes} must be at least 1 and below MemoryMegabytes ({options.MemoryMegabytes}).");
        }

        if (options.LogLineMaxLength < 80 || options.LogLinesPerMinute < 1)
        {
            failures.Add($"{section}:LogLineMaxLength must be at least 80 and LogLinesPerMinute at least 1 (defaults 2000 and 600).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting, string example)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{section}:{setting} {value} must be positive, e.g. {example}.");
            }
        }
    }
}
