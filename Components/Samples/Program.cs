using FlowActors.ComponentSdk;
using FlowActors.SampleComponents;

// One executable, several components: the first argument picks which one this process is.
return args switch
{
    ["transform", .. var rest] => ComponentHost.Run(rest, TransformComponent.Configure),
    ["delay", .. var rest] => ComponentHost.Run(rest, DelayComponent.Configure),
    ["faulty", .. var rest] => ComponentHost.Run(rest, FaultyComponent.Configure),
    ["echo", .. var rest] => ComponentHost.Run(rest, EchoComponent.Configure),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine(
        "Usage: FlowActors.SampleComponents transform|delay|faulty|echo  (with FLOWACTORS_PORT set, e.g. FLOWACTORS_PORT=8080)");
    return ComponentHost.BadEnvironmentExitCode;
}
