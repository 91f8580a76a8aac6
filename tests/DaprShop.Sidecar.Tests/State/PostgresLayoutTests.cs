using System.Text;
using Dapr.Client;
using DaprShop.Sidecar.Tests.Infrastructure;
using Npgsql;

namespace DaprShop.Sidecar.Tests.State;

/// <summary>
/// What <c>state.postgresql</c> leaves in PostgreSQL, read with plain SQL as <c>psql</c> would: daprd's tables, columns,
/// migration levels and value encodings for v1 and v2, and rows daprd wrote read back through the sidecar.
/// </summary>
public sealed class PostgresLayoutTests
{
    private const string Store = "statestore";

    [Fact]
    public async Task V1_creates_daprds_tables_and_keeps_bytes_as_base64_and_json_as_jsonb_with_xmin_etags()
    {
        var connection = await PostgresServer.Shared.CreateDatabaseAsync();
        await using var harness = await StartAsync("v1", connection);

        await harness.Client.SaveStateAsync(Store, "grpc", new { n = 1 });
        await harness.Client.SaveStateAsync(Store, "json", new { n = 2 }, metadata: new Dictionary<string, string> { ["contentType"] = "application/json" });
        var (_, etag) = await harness.Client.GetStateAndETagAsync<object>(Store, "grpc");

        await using var db = await PostgresServer.OpenAsync(connection);
        Assert.Equal(
            ["key text NO", "value jsonb NO", "isbinary boolean NO", "insertdate timestamp with time zone NO", "updatedate timestamp with time zone YES", "expiredate timestamp with time zone YES", "row_id bigint NO"],
            await ColumnsAsync(db, "state"));
        Assert.Equal("3", await ScalarAsync(db, "SELECT value FROM dapr_metadata WHERE key = 'migrations'"));
        Assert.Equal("lock", await ScalarAsync(db, "SELECT value FROM dapr_metadata WHERE key = 'lock'"));
        Assert.Equal("true", await ScalarAsync(db, "SELECT isbinary::text FROM state WHERE key = 'layout-app||grpc'"));
        Assert.Equal($"\"{Convert.ToBase64String("{\"n\":1}"u8)}\"", await ScalarAsync(db, "SELECT value::text FROM state WHERE key = 'layout-app||grpc'"));
        Assert.Equal("false", await ScalarAsync(db, "SELECT isbinary::text FROM state WHERE key = 'layout-app||json'"));
        Assert.Equal("{\"n\": 2}", await ScalarAsync(db, "SELECT value::text FROM state WHERE key = 'layout-app||json'"));
        Assert.Equal(etag, await ScalarAsync(db, "SELECT xmin::text FROM state WHERE key = 'layout-app||grpc'"));
        Assert.Equal("1", await ScalarAsync(db, "SELECT count(*)::text FROM pg_indexes WHERE indexname = 'state_row_id_uidx'"));
    }

    [Fact]
    public async Task V2_creates_daprds_table_and_keeps_bytes_with_a_new_uuid_etag_per_write()
    {
        var connection = await PostgresServer.Shared.CreateDatabaseAsync();
        await using var harness = await StartAsync("v2", connection, ("tablePrefix", "shop_"));

        await harness.Client.SaveStateAsync(Store, "k", "one");
        var (_, first) = await harness.Client.GetStateAndETagAsync<string>(Store, "k");
        await harness.Client.SaveStateAsync(Store, "k", "two");
        var (_, second) = await harness.Client.GetStateAndETagAsync<string>(Store, "k");

        await using var db = await PostgresServer.OpenAsync(connection);
        Assert.Equal(
            ["key text NO", "value bytea NO", "etag uuid NO", "created_at timestamp with time zone NO", "updated_at timestamp with time zone YES", "expires_at timestamp with time zone YES", "row_id bigint NO"],
            await ColumnsAsync(db, "shop_state"));
        Assert.Equal("2", await ScalarAsync(db, "SELECT value FROM dapr_metadata WHERE key = 'migrations-state-v2-shop_'"));
        Assert.Equal("\"two\"", await ScalarAsync(db, "SELECT convert_from(value, 'UTF8') FROM shop_state WHERE key = 'layout-app||k'"));
        Assert.True(Guid.TryParse(first, out _));
        Assert.NotEqual(first, second);
        Assert.Equal(second, await ScalarAsync(db, "SELECT etag::text FROM shop_state WHERE key = 'layout-app||k'"));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Rows_daprd_wrote_read_back_and_a_second_start_keeps_the_tables(string version)
    {
        var connection = await PostgresServer.Shared.CreateDatabaseAsync();
        await using (var first = await StartAsync(version, connection))
        {
            await first.Client.SaveStateAsync(Store, "kept", "across restarts");
        }

        await using (var db = await PostgresServer.OpenAsync(connection))
        {
            // A row as daprd writes one from a gRPC save: v1 base64 in jsonb with isbinary, v2 the bytes.
            await ExecAsync(db, version == "v1"
                ? $"INSERT INTO state (key, value, isbinary) VALUES ('layout-app||daprd', '\"{Convert.ToBase64String("\"from daprd\""u8)}\"', true)"
                : "INSERT INTO state (key, value) VALUES ('layout-app||daprd', convert_to('\"from daprd\"', 'UTF8'))");
        }

        await using var second = await StartAsync(version, connection);

        Assert.Equal("across restarts", await second.Client.GetStateAsync<string>(Store, "kept"));
        Assert.Equal("from daprd", await second.Client.GetStateAsync<string>(Store, "daprd"));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Sidecars_starting_together_on_a_new_database_all_start(string version)
    {
        // The runner starts every app's sidecar at once against one database: the first start creates and migrates
        // the tables while the others wait for its migration lock or meet the tables it made.
        var connection = await PostgresServer.Shared.CreateDatabaseAsync();
        var cluster = new LocalCluster();
        var yaml = ComponentYaml.Component(Store, "state.postgresql", version, ("connectionString", connection));

        var sidecars = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            SidecarHarness.StartAsync($"app-{i}", new Dictionary<string, string> { ["statestore.yaml"] = yaml }, cluster: cluster)));
        try
        {
            await Task.WhenAll(sidecars.Select(s => s.Client.SaveStateAsync(Store, "k", "v")));
            await using var db = await PostgresServer.OpenAsync(connection);
            Assert.Equal("4", await ScalarAsync(db, "SELECT count(*)::text FROM state"));
        }
        finally
        {
            foreach (var sidecar in sidecars)
            {
                await sidecar.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task SaveState_ttl_sets_the_expiry_the_cleanup_deletes()
    {
        var connection = await PostgresServer.Shared.CreateDatabaseAsync();
        await using var harness = await StartAsync("v2", connection, ("cleanupInterval", "1s"));

        await harness.Client.SaveStateAsync(Store, "brief", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });

        await using var db = await PostgresServer.OpenAsync(connection);
        await Eventually.WaitAsync(
            async () => await ScalarAsync(db, "SELECT count(*)::text FROM state"),
            count => count == "0",
            TimeSpan.FromSeconds(10),
            "the cleanup to delete the expired row");
        Assert.NotNull(await ScalarAsync(db, "SELECT value FROM dapr_metadata WHERE key = 'last-cleanup-state-v2-'"));
    }

    private static Task<SidecarHarness> StartAsync(string version, string connection, params (string Name, string Value)[] metadata) =>
        SidecarHarness.StartAsync(
            "layout-app",
            new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.Component(Store, "state.postgresql", version, [("connectionString", connection), .. metadata]) });

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection db, string table)
    {
        await using var command = new NpgsqlCommand("SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position", db);
        command.Parameters.AddWithValue(table);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<string>();
        while (await reader.ReadAsync())
        {
            columns.Add(new StringBuilder().Append(reader.GetString(0)).Append(' ').Append(reader.GetString(1)).Append(' ').Append(reader.GetString(2)).ToString());
        }

        return columns;
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return await command.ExecuteScalarAsync() as string;
    }

    private static async Task ExecAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }
}
