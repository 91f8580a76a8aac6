using System.Globalization;
using System.Text;
using System.Text.Json;
using DaprShop.Sidecar.Components;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace DaprShop.Sidecar.State.Postgres;

/// <summary>
/// <c>state.postgresql</c> (alias <c>state.postgres</c>), versions v1 and v2, on Npgsql, with components-contrib
/// v1.18's tables, migrations and rules
/// (<c>state/postgresql/v1</c>, <c>common/component/postgresql/v1</c>, <c>state/postgresql/v2</c>,
/// <c>common/component/sql</c>), so a table this store creates is one daprd uses as is, and the other way round:
/// <list type="bullet">
/// <item>migrations under a row lock on <c>('lock','lock')</c> in the metadata table, the level under
/// <c>migrations</c> (v1) or <c>migrations-state-v2-{tablePrefix}</c> (v2): the state table, then (v1) its
/// <c>expiredate</c> column, then the <c>row_id</c> identity column with its unique index;</item>
/// <item>v1 keeps a value as <c>jsonb</c>: JSON values as they are, byte values as a base64 JSON string with
/// <c>isbinary</c>; its ETag is the row's <c>xmin</c> (a number; anything else is an invalid ETag). v2 keeps the
/// bytes in <c>bytea</c> and a <c>uuid</c> ETag regenerated on every write (an ETag that is not a uuid is a
/// mismatch);</item>
/// <item>a save without an ETag is an upsert (first-write: only over an expired row, else "no item was updated"); with
/// an ETag an <c>UPDATE</c> of the live row with that ETag; a TTL sets the expiry, its absence clears it;</item>
/// <item>a transaction of several operations runs in one database transaction, rolled back on the first error; one
/// operation, and each of a bulk save or delete, runs on its own;</item>
/// <item>expired rows read as absent and are deleted every <c>cleanupInterval</c> by whichever process records the
/// cleanup time in the metadata table first.</item>
/// </list>
/// </summary>
public sealed class PostgresStateStore : IStateStore, IStateKeyQuery, IAsyncDisposable
{
    public const string ComponentType = "state.postgresql";

    /// <summary>How long the migrations may take, the wait for another process's migration lock included.</summary>
    private static readonly TimeSpan MigrationLimit = TimeSpan.FromMinutes(1);

    /// <summary>The command timeout of the periodic delete of expired rows (daprd allows it ten minutes).</summary>
    private const int CleanupCommandTimeoutSeconds = 600;

    /// <summary>The longest period a <see cref="PeriodicTimer"/> takes (about 49 days).</summary>
    private static readonly TimeSpan LongestTimerPeriod = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly PostgresStateStoreOptions _options;
    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Schema _schema;
    private readonly CancellationTokenSource _stopping = new();
    private Task _cleanup = Task.CompletedTask;

    private PostgresStateStore(PostgresStateStoreOptions options, NpgsqlDataSource db, TimeProvider time, ILogger logger)
    {
        _options = options;
        _db = db;
        _time = time;
        _logger = logger;
        _schema = options.V2 ? new V2Schema(options) : new V1Schema(options);
    }

    public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional | StateFeatures.Ttl;

    /// <summary>The component factory: connects within the component's timeout, migrates the tables, starts the cleanup.</summary>
    public static PostgresStateStore Create(ComponentSpec spec, ComponentContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var options = PostgresStateStoreOptions.FromSpec(spec);
        var logger = context.LoggerFactory.CreateLogger<PostgresStateStore>();
        var db = NpgsqlDataSource.Create(options.ConnectionString);
        var store = new PostgresStateStore(options, db, context.Time, logger);
        var field = spec.Metadata.Contains("connectionString") || !spec.Metadata.Contains("url") ? "connectionString" : "url";
        try
        {
            // Reaching the server is bounded by the component's timeout, as daprd's connect and ping are; the
            // migrations, which may wait for another process's migration lock, get longer (daprd waits a minute for it).
            using (var reach = new CancellationTokenSource(options.Timeout, context.Time))
            {
                using var connection = db.OpenConnectionAsync(reach.Token).AsTask().GetAwaiter().GetResult();
            }

            using var migrate = new CancellationTokenSource(options.Timeout + MigrationLimit, context.Time);
            store.MigrateAsync(migrate.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            db.Dispose();
            throw spec.Metadata.Error(
                field,
                $"cannot use PostgreSQL at {options.Address} ({Reason(e)}); start PostgreSQL there (Debian: apt-get install postgresql) or fix the connection string");
        }
        catch (InvalidOperationException e)
        {
            db.Dispose();
            throw spec.Metadata.Error(field, $"the tables at {options.Address} cannot be migrated: {e.Message}");
        }

        if (options.CleanupInterval is { } interval)
        {
            store._cleanup = store.RunCleanupAsync(interval, store._stopping.Token);
        }

        logger.LogInformation("PostgreSQL state store {Component} ({Version}) ready on {Address}, table {Table}", spec.Name, spec.Version, options.Address, options.StateTable);
        return store;
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var command = _db.CreateCommand(_schema.SelectOne);
        command.Parameters.AddWithValue(key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? _schema.Read(reader).Entry : null;
    }

    public async Task<IReadOnlyList<BulkStateEntry>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        var found = new Dictionary<string, StateEntry>(StringComparer.Ordinal);
        await using (var command = _db.CreateCommand(_schema.SelectMany))
        {
            command.Parameters.AddWithValue(keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (key, entry) = _schema.Read(reader);
                found[key] = entry;
            }
        }

        return [.. keys.Select(key => new BulkStateEntry(key, found.GetValueOrDefault(key)))];
    }

    public async Task<IReadOnlyList<KeyValuePair<string, StateEntry>>> QueryByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new List<KeyValuePair<string, StateEntry>>();
        await using var command = _db.CreateCommand(_schema.SelectLike);
        command.Parameters.AddWithValue(LikeEscape(prefix) + "%");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (key, entry) = _schema.Read(reader);
            result.Add(new(key, entry));
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    public async Task ExecuteAsync(StateTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var operations = transaction.Operations;
        if (operations.Count == 0)
        {
            return;
        }

        if (transaction.IsBulk || operations.Count == 1)
        {
            // daprd's BulkSet/BulkDelete and a transaction of one operation: each write on its own, every one attempted;
            // the failures are reported together.
            await using var connection = await _db.OpenConnectionAsync(cancellationToken);
            var failures = new List<Exception>();
            foreach (var operation in operations)
            {
                try
                {
                    await WriteAsync(connection, null, operation, cancellationToken);
                }
                catch (Exception e) when (e is StateETagException or InvalidOperationException or PostgresException)
                {
                    failures.Add(e);
                }
            }

            if (failures.Count > 0)
            {
                throw StateBulkErrors.Combine(failures);
            }

            return;
        }

        await using (var connection = await _db.OpenConnectionAsync(cancellationToken))
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var operation in operations)
            {
                await WriteAsync(connection, tx, operation, cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
        }
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

        await _db.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, StateOperation operation, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = tx };
        if (operation is StateUpsert upsert)
        {
            var expiry = upsert.Ttl is { } ttl && ttl > TimeSpan.Zero
                ? $"{_schema.Now} + interval '{((long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture)} seconds'"
                : "NULL";
            command.Parameters.AddWithValue(upsert.Key);
            _schema.AddValue(command, upsert);
            if (upsert.HasETag)
            {
                command.Parameters.Add(_schema.ETagParameter(upsert.ETag!));
                command.CommandText = _schema.Update(expiry);
            }
            else
            {
                command.CommandText = _schema.Upsert(expiry, upsert.Concurrency == StateConcurrency.FirstWrite);
            }

            if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw upsert.HasETag ? new StateETagException(ETagErrorKind.Mismatch) : new InvalidOperationException("no item was updated");
            }

            return;
        }

        command.Parameters.AddWithValue(operation.Key);
        if (operation.HasETag)
        {
            command.Parameters.Add(_schema.ETagParameter(operation.ETag!));
            command.CommandText = $"DELETE FROM {_options.StateTable} WHERE key = $1 AND {_schema.ETagColumn} = $2";
        }
        else
        {
            command.CommandText = $"DELETE FROM {_options.StateTable} WHERE key = $1";
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1 && operation.HasETag)
        {
            throw new StateETagException(ETagErrorKind.Mismatch);
        }
    }

    /// <summary>daprd's migrations: the metadata table, the lock row, then each level above the stored one under the row lock.</summary>
    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var meta = _options.MetadataTable;
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecAsync(connection, null, $"CREATE TABLE IF NOT EXISTS {meta} (key text NOT NULL PRIMARY KEY, value text NOT NULL)", cancellationToken);
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 3)
            {
                // Two sidecars creating the table at once collide on the catalog; daprd tries three times too.
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken);
            }
        }

        await ExecAsync(connection, null, $"INSERT INTO {meta} (key, value) VALUES ('lock', 'lock') ON CONFLICT (key) DO NOTHING", cancellationToken);

        // The lock is a row lock held by a transaction on a connection of its own, as daprd holds it while the
        // migrations run on the pool.
        await using var lockConnection = await _db.OpenConnectionAsync(cancellationToken);
        await using var lockTx = await lockConnection.BeginTransactionAsync(cancellationToken);
        await ExecAsync(lockConnection, lockTx, $"SELECT value FROM {meta} WHERE key = 'lock' FOR UPDATE", cancellationToken);

        await using var read = new NpgsqlCommand($"SELECT value FROM {meta} WHERE key = $1", connection);
        read.Parameters.AddWithValue(_schema.MigrationKey);
        var stored = await read.ExecuteScalarAsync(cancellationToken) as string;
        var level = stored is null ? 0 : int.TryParse(stored, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : throw new InvalidOperationException($"invalid migration level found in metadata table: {stored}");
        var migrations = _schema.Migrations;
        for (var i = level; i < migrations.Count; i++)
        {
            _logger.LogInformation("Performing migration {Level} of {Table}", i + 1, _options.StateTable);
            foreach (var sql in migrations[i])
            {
                await ExecAsync(connection, null, sql, cancellationToken);
            }

            await using var update = new NpgsqlCommand($"INSERT INTO {meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2", connection);
            update.Parameters.AddWithValue(_schema.MigrationKey);
            update.Parameters.AddWithValue((i + 1).ToString(CultureInfo.InvariantCulture));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await lockTx.RollbackAsync(cancellationToken);
    }

    /// <summary>
    /// Every <paramref name="interval"/>: records the cleanup time in the metadata table unless another process did so
    /// less than an interval ago, and if it did, deletes the expired rows (daprd's <c>GarbageCollector</c>).
    /// </summary>
    private async Task RunCleanupAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval < LongestTimerPeriod ? interval : LongestTimerPeriod, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await using var claim = _db.CreateCommand($"""
                    INSERT INTO {_options.MetadataTable} (key, value) VALUES ('{_schema.CleanupKey}', now()::text)
                    ON CONFLICT (key) DO UPDATE SET value = now()::text
                    WHERE (EXTRACT('epoch' FROM now() - {_options.MetadataTable}.value::timestamp with time zone) * 1000)::bigint > $1
                    """);
                claim.Parameters.AddWithValue((long)interval.TotalMilliseconds - 100);
                if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    continue;
                }

                await using var delete = _db.CreateCommand($"DELETE FROM {_options.StateTable} WHERE {_schema.ExpiryColumn} IS NOT NULL AND {_schema.ExpiryColumn} < now()");
                delete.CommandTimeout = CleanupCommandTimeoutSeconds;
                var removed = await delete.ExecuteNonQueryAsync(cancellationToken);
                _logger.LogDebug("Removed {Count} expired rows from {Table}", removed, _options.StateTable);
            }
            catch (NpgsqlException e)
            {
                _logger.LogWarning(e, "Removing expired rows from {Table} failed", _options.StateTable);
            }
        }
    }

    private static async Task ExecAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string LikeEscape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string Reason(Exception e) => e switch
    {
        NpgsqlException { InnerException: System.Net.Sockets.SocketException socket } when socket.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused => "connection refused: nothing listens there",
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
        OperationCanceledException or TimeoutException => "no answer within the component's timeout",
        _ => e.Message,
    };

    /// <summary>The SQL and value encoding of one version of the component.</summary>
    private abstract class Schema(PostgresStateStoreOptions options)
    {
        protected string Table { get; } = options.StateTable;

        public abstract string MigrationKey { get; }

        public abstract string CleanupKey { get; }

        public abstract string ETagColumn { get; }

        public abstract string ExpiryColumn { get; }

        /// <summary>The SQL the version writes "now" with in its queries (v1 <c>CURRENT_TIMESTAMP</c>, v2 <c>now()</c>).</summary>
        public abstract string Now { get; }

        /// <summary>The SQL statements of each migration level, in order.</summary>
        public abstract IReadOnlyList<string[]> Migrations { get; }

        public abstract string SelectOne { get; }

        public abstract string SelectMany { get; }

        public abstract string SelectLike { get; }

        /// <summary>The statement for a save without an ETag: $1 key, $2.. value.</summary>
        public abstract string Upsert(string expiry, bool firstWrite);

        /// <summary>The statement for a save with an ETag: $1 key, $2.. value, then the ETag.</summary>
        public abstract string Update(string expiry);

        public abstract void AddValue(NpgsqlCommand command, StateUpsert upsert);

        public abstract NpgsqlParameter ETagParameter(string etag);

        public abstract (string Key, StateEntry Entry) Read(NpgsqlDataReader reader);

        /// <summary>daprd's third migration (1.17+): a <c>row_id</c> identity column with a unique index, filled in insertion order.</summary>
        protected string[] RowIdMigration(string insertedColumn)
        {
            var bare = Table.Contains('.', StringComparison.Ordinal) ? Table[(Table.IndexOf('.', StringComparison.Ordinal) + 1)..] : Table;
            return
            [
                $"ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS row_id BIGINT",
                $"""
                WITH ranked AS (SELECT key, ROW_NUMBER() OVER (ORDER BY {insertedColumn} ASC, key ASC) AS rn FROM {Table} WHERE row_id IS NULL)
                UPDATE {Table} AS t SET row_id = r.rn FROM ranked r WHERE r.key = t.key
                """,
                $"ALTER TABLE {Table} ALTER COLUMN row_id SET NOT NULL",
                $"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('{Table}') AND attname = 'row_id' AND attidentity <> '') THEN
                    ALTER TABLE {Table} ALTER COLUMN row_id ADD GENERATED BY DEFAULT AS IDENTITY;
                  END IF;
                END $$
                """,
                $"SELECT setval(pg_get_serial_sequence('{Table}', 'row_id'), COALESCE((SELECT MAX(row_id) FROM {Table}), 0) + 1, false)",
                $"CREATE UNIQUE INDEX IF NOT EXISTS \"{bare.ToLowerInvariant()}_row_id_uidx\" ON {Table} (row_id)",
            ];
        }
    }

    /// <summary>v1: <c>value jsonb</c> with <c>isbinary</c>, <c>xmin</c> ETags, <c>expiredate</c>.</summary>
    private sealed class V1Schema(PostgresStateStoreOptions options) : Schema(options)
    {
        public override string MigrationKey => "migrations";

        public override string CleanupKey => "last-cleanup";

        public override string ETagColumn => "xmin";

        public override string ExpiryColumn => "expiredate";

        public override string Now => "CURRENT_TIMESTAMP";

        public override IReadOnlyList<string[]> Migrations =>
        [
            [$"""
            CREATE TABLE IF NOT EXISTS {Table} (
              key text NOT NULL PRIMARY KEY,
              value jsonb NOT NULL,
              isbinary boolean NOT NULL,
              insertdate TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
              updatedate TIMESTAMP WITH TIME ZONE NULL
            )
            """],
            [$"ALTER TABLE {Table} ADD expiredate TIMESTAMP WITH TIME ZONE"],
            RowIdMigration("insertdate"),
        ];

        public override string SelectOne =>
            $"SELECT key, value::text, isbinary, xmin::text, expiredate FROM {Table} WHERE key = $1 AND (expiredate IS NULL OR expiredate >= CURRENT_TIMESTAMP)";

        public override string SelectMany =>
            $"SELECT key, value::text, isbinary, xmin::text, expiredate FROM {Table} WHERE key = ANY($1) AND (expiredate IS NULL OR expiredate >= CURRENT_TIMESTAMP)";

        public override string SelectLike =>
            $"SELECT key, value::text, isbinary, xmin::text, expiredate FROM {Table} WHERE key LIKE $1 ESCAPE '\\' AND (expiredate IS NULL OR expiredate >= CURRENT_TIMESTAMP)";

        public override string Upsert(string expiry, bool firstWrite) => $"""
            INSERT INTO {Table} AS t (key, value, isbinary, expiredate) VALUES ($1, $2, $3, {expiry})
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, isbinary = excluded.isbinary, updatedate = CURRENT_TIMESTAMP, expiredate = {expiry}
            """ + (firstWrite ? " WHERE (t.expiredate IS NOT NULL AND t.expiredate < CURRENT_TIMESTAMP)" : string.Empty);

        public override string Update(string expiry) => $"""
            UPDATE {Table} SET value = $2, isbinary = $3, updatedate = CURRENT_TIMESTAMP, expiredate = {expiry}
            WHERE key = $1 AND xmin = $4 AND (expiredate IS NULL OR expiredate > CURRENT_TIMESTAMP)
            """;

        public override void AddValue(NpgsqlCommand command, StateUpsert upsert)
        {
            // A JSON value is kept as JSON; bytes as a base64 JSON string, marked binary (components-contrib doSet).
            var json = upsert.IsJson ? Encoding.UTF8.GetString(upsert.Value.Span) : JsonSerializer.Serialize(Convert.ToBase64String(upsert.Value.Span));
            command.Parameters.Add(new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });
            command.Parameters.AddWithValue(!upsert.IsJson);
        }

        public override NpgsqlParameter ETagParameter(string etag) =>
            uint.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var xid)
                ? new NpgsqlParameter { Value = xid, NpgsqlDbType = NpgsqlDbType.Xid }
                : throw new StateETagException(ETagErrorKind.Invalid, $"strconv.ParseUint: parsing \"{etag}\": invalid syntax");

        public override (string Key, StateEntry Entry) Read(NpgsqlDataReader reader)
        {
            var key = reader.GetString(0);
            var text = reader.GetString(1);
            var value = reader.GetBoolean(2)
                ? Convert.FromBase64String(JsonSerializer.Deserialize<string>(text) ?? string.Empty)
                : Encoding.UTF8.GetBytes(text);
            DateTimeOffset? expires = reader.IsDBNull(4) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(4), TimeSpan.Zero);
            return (key, new StateEntry(value, reader.GetString(3), expires));
        }
    }

    /// <summary>v2: <c>value bytea</c>, a uuid <c>etag</c> regenerated per write, <c>expires_at</c>.</summary>
    private sealed class V2Schema(PostgresStateStoreOptions options) : Schema(options)
    {
        private readonly string _prefix = options.TablePrefix;

        public override string MigrationKey => $"migrations-state-v2-{_prefix}";

        public override string CleanupKey => $"last-cleanup-state-v2-{_prefix}";

        public override string ETagColumn => "etag";

        public override string ExpiryColumn => "expires_at";

        public override string Now => "now()";

        public override IReadOnlyList<string[]> Migrations =>
        [
            [$"""
            CREATE TABLE IF NOT EXISTS {Table} (
              key text NOT NULL PRIMARY KEY,
              value bytea NOT NULL,
              etag uuid NOT NULL DEFAULT gen_random_uuid(),
              created_at timestamp with time zone NOT NULL DEFAULT now(),
              updated_at timestamp with time zone,
              expires_at timestamp with time zone
            );
            CREATE INDEX ON {Table} (expires_at);
            """],
            RowIdMigration("created_at"),
        ];

        public override string SelectOne =>
            $"SELECT key, value, etag::text, expires_at FROM {Table} WHERE key = $1 AND (expires_at IS NULL OR expires_at >= now())";

        public override string SelectMany =>
            $"SELECT key, value, etag::text, expires_at FROM {Table} WHERE key = ANY($1) AND (expires_at IS NULL OR expires_at >= now())";

        public override string SelectLike =>
            $"SELECT key, value, etag::text, expires_at FROM {Table} WHERE key LIKE $1 ESCAPE '\\' AND (expires_at IS NULL OR expires_at >= now())";

        public override string Upsert(string expiry, bool firstWrite) => $"""
            INSERT INTO {Table} AS t (key, value, etag, expires_at) VALUES ($1, $2, gen_random_uuid(), {expiry})
            ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = now(), etag = gen_random_uuid(), expires_at = {expiry}
            """ + (firstWrite ? " WHERE (t.expires_at IS NOT NULL AND t.expires_at < now())" : string.Empty);

        public override string Update(string expiry) => $"""
            UPDATE {Table} SET value = $2, updated_at = now(), etag = gen_random_uuid(), expires_at = {expiry}
            WHERE key = $1 AND etag = $3 AND (expires_at IS NULL OR expires_at >= now())
            """;

        public override void AddValue(NpgsqlCommand command, StateUpsert upsert) =>
            command.Parameters.Add(new NpgsqlParameter { Value = upsert.Value.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });

        public override NpgsqlParameter ETagParameter(string etag) =>
            Guid.TryParse(etag, out var uuid)
                ? new NpgsqlParameter { Value = uuid, NpgsqlDbType = NpgsqlDbType.Uuid }
                : throw new StateETagException(ETagErrorKind.Mismatch, $"invalid UUID: {etag}");

        public override (string Key, StateEntry Entry) Read(NpgsqlDataReader reader)
        {
            DateTimeOffset? expires = reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(3), TimeSpan.Zero);
            return (reader.GetString(0), new StateEntry(reader.GetFieldValue<byte[]>(1), reader.GetString(2), expires));
        }
    }
}
