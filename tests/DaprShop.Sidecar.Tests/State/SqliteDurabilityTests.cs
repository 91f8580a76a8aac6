using DaprShop.Sidecar.State;
using DaprShop.Sidecar.State.Sqlite;
using DaprShop.Sidecar.Tests.Infrastructure;

namespace DaprShop.Sidecar.Tests.State;

/// <summary>
/// The durability <c>state.sqlite</c> gives, pinned: WAL with <c>synchronous = FULL</c>, SQLite's default, which daprd's
/// <c>state.sqlite</c> keeps too (it sets only the busy timeout and the journal mode). A committed write is on disk
/// before it is acknowledged, so a power cut loses nothing that was answered.
/// </summary>
public sealed class SqliteDurabilityTests
{
    [Fact]
    public async Task Connections_run_WAL_with_synchronous_FULL_as_daprds_state_sqlite()
    {
        await using var app = await SidecarHarness.StartAsync("durable", new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore("sqlite") });
        var store = Assert.IsType<SqliteStateStore>(app.Sidecar.Context.Components.Get<IStateStore>("statestore"));

        await using var connection = await store.OpenAsync(CancellationToken.None);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(2L, await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }
}
