// TEMPORARY STUB (not committed)
using Microsoft.Extensions.DependencyInjection;
namespace Microsoft.Extensions.DependencyInjection;
public static class StubExt { public static IServiceCollection AddLocalProcessContainerRuntime(this IServiceCollection s) => s; }
