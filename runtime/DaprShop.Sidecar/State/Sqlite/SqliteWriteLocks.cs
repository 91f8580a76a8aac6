using System.Collections.Concurrent;

namespace DaprShop.Sidecar.State.Sqlite;

/// <summary>
/// One writer at a time per database file in this process. Several sidecars of one run may open the
/// same file; SQLite serialises writers itself, but a writer that finds the file locked waits in
/// busy-timeout polling. Taking this lock first makes writers from one process queue instead, and
/// <c>BEGIN IMMEDIATE</c> with a busy timeout still covers writers in other processes.
/// </summary>
internal static class SqliteWriteLocks
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);

    public static SemaphoreSlim For(string dataSource) => Locks.GetOrAdd(dataSource, _ => new SemaphoreSlim(1, 1));
}
