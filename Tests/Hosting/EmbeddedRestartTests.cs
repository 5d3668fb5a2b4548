using FlowActors.TestSupport.Processes;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Tests.Hosting;

/// <summary>
/// The embedded profile keeps what a user made: the real <c>Silo</c> process with its shipped settings (only ports
/// and the data folder chosen), stopped with SIGTERM or killed with SIGKILL, then started again on the same folder.
/// </summary>
[TestClass]
public sealed class EmbeddedRestartTests
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(60);

    [TestMethod]
    [DataRow("SIGTERM")]
    [DataRow("SIGKILL")]
    public async Task EverythingAUserMade_SurvivesARestartOfTheSilo(string signal)
    {
        var dataFolder = Directory.CreateTempSubdirectory("flowactors-restart-").FullName;
        var orphans = new List<int>();
        try
        {
            UserWorld world;
            await using (var first = await SiloProcess.StartInAsync(dataFolder))
            {
                world = await UserWorld.CreateAsync(first.Http, WarmUp);
                if (signal == "SIGTERM")
                {
                    Assert.AreEqual(0, await first.StopAsync(TimeSpan.FromSeconds(60)), first.RecentOutput);
                }
                else
                {
                    orphans.AddRange(SiloProcess.ChildPids(first.ProcessId));
                    await first.KillAloneAsync();
                }
            }

            Assert.IsTrue(File.Exists(Path.Combine(dataFolder, "flowactors.db")), "the database is in the data folder");
            await using var second = await SiloProcess.StartInAsync(dataFolder);
            // Before anyone touches a flow: the silo wakes the running real-time flow, which starts its three steps.
            await WaitForChildrenAsync(second, count: 3, WarmUp);
            await world.AssertSurvivedAsync(second, WarmUp);
        }
        finally
        {
            // Component processes of the killed silo die with it (parent-death signal, tested with the runtimes);
            // should one survive, it must not outlive the test.
            foreach (var pid in orphans.Where(ContainerProcesses.IsAlive))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // exited meanwhile
                }
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    private static async Task WaitForChildrenAsync(SiloProcess silo, int count, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (SiloProcess.ChildPids(silo.ProcessId).Count < count)
        {
            Assert.IsLessThan(timeout, clock.Elapsed, $"The restarted silo started {SiloProcess.ChildPids(silo.ProcessId).Count} component processes, not {count}, by itself:\n{silo.RecentOutput}");
            await Task.Delay(100);
        }
    }
}
