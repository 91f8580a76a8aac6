using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.State.Sqlite;

/// <summary>
/// <c>state.sqlite</c>: a durable SQLite file (WAL journal unless <c>disableWAL</c>), shared by
/// every sidecar that names it. One row per key with its value bytes, ETag (a GUID per write) and
/// expiry in Unix milliseconds. Writes go through the file's one writer (<see cref="SqliteWriter"/>),
/// which applies each transaction's checks and writes atomically, in a savepoint of a
/// <c>BEGIN IMMEDIATE</c> transaction that commits concurrent transactions together. Expired rows read as absent; with <c>cleanupInterval</c> they are also deleted
/// periodically.
/// </summary>
public sealed class SqliteStateStore : IStateStore, IStateKeyQuery, IAsyncDisposable
{
    private const string SchemaVersionKey = "daprshop-schema-version";
    private const string SchemaVersion = "1";

    private readonly SqliteStateStoreOptions _options;
    private readonly string _connectionString;
    private readonly SqliteWriter _writer;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private SqliteConnection? _memoryKeeper;
    private Task _cleanup = Task.CompletedTask;

    private SqliteStateStore(SqliteStateStoreOptions options, TimeProvider clock, ILogger logger)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DataSource,
            Mode = options.IsInMemory ? SqliteOpenMode.Memory : options.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Cache = options.IsInMemory ? SqliteCacheMode.Shared : SqliteCacheMode.Default,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.Timeout.TotalSeconds),
        }.ToString();
        _writer = SqliteWriter.For(string.Create(CultureInfo.InvariantCulture, $"{_connectionString};busy_timeout={options.BusyTimeout.TotalMilliseconds}"));
    }

    public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional | StateFeatures.Ttl;

    /// <summary>Opens the database, creates the tables when missing and starts the cleanup.</summary>
    public static SqliteStateStore Open(SqliteStateStoreOptions options, TimeProvider clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        var store = new SqliteStateStore(options, clock, logger);
        try
        {
            store.Initialize();
        }
        catch
        {
            store._memoryKeeper?.Dispose();
            store._stopping.Dispose();
            throw;
        }

        if (options.CleanupInterval > TimeSpan.Zero)
        {
            store._cleanup = store.RunCleanupAsync(store._stopping.Token);
        }

        return store;
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAsync(connection, null, key, NowMs(), cancellationToken);
    }

    public async Task<IReadOnlyList<BulkStateEntry>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = new List<BulkStateEntry>(keys.Count);
        if (keys.Count == 0)
        {
            return result;
        }

        await using var connection = await OpenAsync(cancellationToken);
        var now = NowMs();
        foreach (var key in keys)
        {
            try
            {
                result.Add(new BulkStateEntry(key, await ReadAsync(connection, null, key, now, cancellationToken)));
            }
            catch (SqliteException e)
            {
                result.Add(new BulkStateEntry(key, null, e.Message));
            }
        }

        return result;
    }

    public async Task<IReadOnlyList<KeyValuePair<string, StateEntry>>> QueryByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new List<KeyValuePair<string, StateEntry>>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT key, value, etag, expiration_time FROM {_options.TableName}
            WHERE key >= $prefix AND (expiration_time IS NULL OR expiration_time > $now)
            ORDER BY key
            """;
        command.Parameters.AddWithValue("$prefix", prefix);
        command.Parameters.AddWithValue("$now", NowMs());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Keys sort in binary order, so the first key past the prefix ends the range.
            var key = reader.GetString(0);
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                break;
            }

            DateTimeOffset? expiresAt = reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3));
            result.Add(new(key, new StateEntry((byte[])reader.GetValue(1), reader.GetString(2), expiresAt)));
        }

        return result;
    }

    public async Task ExecuteAsync(StateTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.Operations.Count == 0)
        {
            return;
        }

        await _writer.ExecuteAsync(
            OpenAsync,
            async (connection, tx) =>
            {
                var now = NowMs();
                foreach (var operation in transaction.Operations)
                {
                    var current = await ReadAsync(connection, tx, operation.Key, now, CancellationToken.None);
                    StateConditions.Check(operation, current?.ETag);
                    await WriteAsync(connection, tx, operation, now, CancellationToken.None);
                }
            },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _cleanup;
        }
        catch (OperationCanceledException)
        {
            // The cleanup loop ends by cancellation.
        }

        if (_memoryKeeper is not null)
        {
            await _memoryKeeper.DisposeAsync();
        }

        // Pooled connections keep the database file open; release them with the store.
        await using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _stopping.Dispose();
    }

    private void Initialize()
    {
        if (_options.IsInMemory)
        {
            // A shared-cache in-memory database lives as long as one connection to it is open.
            _memoryKeeper = new SqliteConnection(_connectionString);
            _memoryKeeper.Open();
        }

        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        SetBusyTimeout(connection);
        if (_options.ReadOnly)
        {
            return;
        }

        _writer.Lock.Wait();
        try
        {
            var journal = _options.IsInMemory ? "MEMORY" : _options.DisableWal ? "DELETE" : "WAL";
            Execute(connection, null, $"PRAGMA journal_mode = {journal};");
            using var tx = connection.BeginTransaction(deferred: false);
            Execute(connection, tx, $"""
                CREATE TABLE IF NOT EXISTS {_options.TableName} (
                    key TEXT NOT NULL PRIMARY KEY,
                    value BLOB NOT NULL,
                    etag TEXT NOT NULL,
                    expiration_time INTEGER NULL,
                    update_time INTEGER NOT NULL
                );
                CREATE INDEX IF NOT EXISTS idx_{_options.TableName}_expiration_time ON {_options.TableName} (expiration_time);
                CREATE TABLE IF NOT EXISTS {_options.MetadataTableName} (
                    key TEXT NOT NULL PRIMARY KEY,
                    value TEXT NOT NULL
                );
                INSERT OR IGNORE INTO {_options.MetadataTableName} (key, value) VALUES ('{SchemaVersionKey}', '{SchemaVersion}');
                """);
            tx.Commit();
        }
        finally
        {
            _writer.Lock.Release();
        }

        _logger.LogInformation("SQLite state store ready: {DataSource}, table {TableName}", _options.DataSource, _options.TableName);
    }

    internal async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            SetBusyTimeout(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void SetBusyTimeout(SqliteConnection connection) =>
        Execute(connection, null, $"PRAGMA busy_timeout = {((long)_options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)};");

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async Task<StateEntry?> ReadAsync(SqliteConnection connection, SqliteTransaction? tx, string key, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"""
            SELECT value, etag, expiration_time FROM {_options.TableName}
            WHERE key = $key AND (expiration_time IS NULL OR expiration_time > $now)
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var value = (byte[])reader.GetValue(0);
        var etag = reader.GetString(1);
        DateTimeOffset? expiresAt = reader.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2));
        return new StateEntry(value, etag, expiresAt);
    }

    private async Task WriteAsync(SqliteConnection connection, SqliteTransaction tx, StateOperation operation, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.Parameters.AddWithValue("$key", operation.Key);
        if (operation is StateUpsert upsert)
        {
            command.CommandText = $"""
                INSERT OR REPLACE INTO {_options.TableName} (key, value, etag, expiration_time, update_time)
                VALUES ($key, $value, $etag, $expiration, $now)
                """;
            command.Parameters.AddWithValue("$value", upsert.Value.ToArray());
            command.Parameters.AddWithValue("$etag", Guid.NewGuid().ToString());
            command.Parameters.AddWithValue("$expiration", upsert.Ttl is { } ttl ? now + (long)ttl.TotalMilliseconds : DBNull.Value);
            command.Parameters.AddWithValue("$now", now);
        }
        else
        {
            command.CommandText = $"DELETE FROM {_options.TableName} WHERE key = $key";
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task RunCleanupAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CleanupInterval, _clock);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await _writer.Lock.WaitAsync(cancellationToken);
                try
                {
                    await using var connection = await OpenAsync(cancellationToken);
                    await using var command = connection.CreateCommand();
                    command.CommandText = $"DELETE FROM {_options.TableName} WHERE expiration_time IS NOT NULL AND expiration_time <= $now";
                    command.Parameters.AddWithValue("$now", NowMs());
                    var removed = await command.ExecuteNonQueryAsync(cancellationToken);
                    _logger.LogDebug("Removed {Count} expired rows from {TableName}", removed, _options.TableName);
                }
                finally
                {
                    _writer.Lock.Release();
                }
            }
            catch (SqliteException e)
            {
                _logger.LogWarning(e, "Removing expired rows from {TableName} failed", _options.TableName);
            }
        }
    }

    private long NowMs() => _clock.GetUtcNow().ToUnixTimeMilliseconds();
}
