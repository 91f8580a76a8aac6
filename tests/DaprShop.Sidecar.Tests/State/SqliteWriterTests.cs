using DaprShop.Sidecar.State.Sqlite;
using Microsoft.Data.Sqlite;

namespace DaprShop.Sidecar.Tests.State;

public sealed class SqliteWriterTests : IDisposable
{
    private static readonly string[] ThreeKeys = ["a", "b", "c"];
    private static readonly string[] TwoKeys = ["a", "b"];

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"sqlite-writer-{Guid.NewGuid():N}.db");
    private int _opened;

    public SqliteWriterTests()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE t (key TEXT PRIMARY KEY);";
        command.ExecuteNonQuery();
    }

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = _file, Pooling = false }.ToString();

    public void Dispose()
    {
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Transactions_queued_during_a_commit_Commit_together_on_one_connection()
    {
        var writer = SqliteWriter.For(_file);
        Task[] writes;
        await writer.Lock.WaitAsync();
        try
        {
            // Each call queues its work before it waits for the lock, which the test holds like a commit in progress.
            writes = [.. ThreeKeys.Select(key => writer.ExecuteAsync(OpenAsync, Insert(key), CancellationToken.None))];
            Assert.All(writes, write => Assert.False(write.IsCompleted));
        }
        finally
        {
            writer.Lock.Release();
        }

        await Task.WhenAll(writes);

        Assert.Equal(1, _opened);
        Assert.Equal(["a", "b", "c"], await KeysAsync());
    }

    [Fact]
    public async Task More_transactions_queued_than_one_batch_holds_Every_one_committed()
    {
        var writer = SqliteWriter.For(_file);
        var keys = Enumerable.Range(0, SqliteWriter.MaxBatch * 2 + 1).Select(i => i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Task[] writes;
        await writer.Lock.WaitAsync();
        try
        {
            writes = [.. keys.Select(key => writer.ExecuteAsync(OpenAsync, Insert(key), CancellationToken.None))];
        }
        finally
        {
            writer.Lock.Release();
        }

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(keys, await KeysAsync());
        Assert.Equal(3, _opened);
    }

    [Fact]
    public async Task Transaction_that_fails_in_a_group_Rolled_back_alone_and_its_caller_gets_the_error()
    {
        var writer = SqliteWriter.For(_file);
        Task first, failing, last;
        await writer.Lock.WaitAsync();
        try
        {
            first = writer.ExecuteAsync(OpenAsync, Insert("a"), CancellationToken.None);
            failing = writer.ExecuteAsync(
                OpenAsync,
                async (connection, tx) =>
                {
                    await Insert("b")(connection, tx);
                    throw new InvalidOperationException("condition failed");
                },
                CancellationToken.None);
            last = writer.ExecuteAsync(OpenAsync, Insert("c"), CancellationToken.None);
        }
        finally
        {
            writer.Lock.Release();
        }

        await first;
        await last;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("condition failed", error.Message);
        Assert.Equal(["a", "c"], await KeysAsync());
    }

    [Fact]
    public async Task Group_whose_connection_cannot_open_Every_caller_gets_the_error_and_nothing_is_written()
    {
        var writer = SqliteWriter.For(_file);
        Task[] writes;
        await writer.Lock.WaitAsync();
        try
        {
            writes = [.. TwoKeys.Select(key => writer.ExecuteAsync(_ => throw new IOException("disk gone"), Insert(key), CancellationToken.None))];
        }
        finally
        {
            writer.Lock.Release();
        }

        foreach (var write in writes)
        {
            Assert.Equal("disk gone", (await Assert.ThrowsAsync<IOException>(() => write)).Message);
        }

        Assert.Empty(await KeysAsync());
    }

    private static Func<SqliteConnection, SqliteTransaction, Task> Insert(string key) => async (connection, tx) =>
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO t (key) VALUES ($key)";
        command.Parameters.AddWithValue("$key", key);
        await command.ExecuteNonQueryAsync();
    };

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _opened);
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task<List<string>> KeysAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key FROM t ORDER BY key";
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
