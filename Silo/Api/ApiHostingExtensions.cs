using FlowActors.Client.Hosting;
using FlowActors.ComponentProtocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>Wires the HTTP API, the webhooks and the OpenAPI document into the silo's web host.</summary>
public static class ApiHostingExtensions
{
    private const int MaxDetailLength = 1024;

    public static WebApplicationBuilder AddFlowActorsApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>());
        services.AddSingleton<ApiKey>();
        services.AddSingleton<WrongKeyThrottle>();
        services.AddSingleton<ApiKeyFilter>();

        // The API speaks through the SDK, over the silo's own cluster client: one code path for both.
        services.AddFlowActorsClientApi();
        services.ConfigureHttpJsonOptions(json =>
        {
            ApiJson.Configure(json.SerializerOptions);
            json.SerializerOptions.MaxDepth = ProtocolLimits.MaxDepth; // a reply carries a body as deep as the silo lets in
        });
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Whatever an answer quotes of a request, it quotes a short prefix only.
            if (context.ProblemDetails.Detail is { Length: > MaxDetailLength } detail)
            {
                context.ProblemDetails.Detail = detail[..MaxDetailLength] + "…";
            }
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapFlowActorsApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // 404/405 from routing get a ProblemDetails body too
        var api = app.MapGroup("/api").AddEndpointFilter<ApiKeyFilter>();
        api.MapFlowEndpoints().MapMessageEndpoints().MapEventEndpoints().MapComponentEndpoints().MapWebhookAdminEndpoints().MapTriggerEndpoints().MapOverviewEndpoints()
            .MapChartEndpoints().MapDeadLetterEndpoints().MapCredentialEndpoints().MapTrialEndpoints().MapCheckEndpoints();
        app.MapGroup("").AddEndpointFilter<ApiKeyFilter>().MapOpenApi(); // /openapi/v1.json, behind the key like the API it describes
        return app;
    }
}
