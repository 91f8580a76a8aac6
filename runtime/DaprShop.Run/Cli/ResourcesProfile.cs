namespace DaprShop.Run.Cli;

/// <summary>
/// A named set of resources folders (<c>--profile</c>): components/common plus the backends of one
/// kind, relative to the run file's folder. Every app loads the same folders.
/// </summary>
/// <param name="Name">What <c>--profile</c> takes.</param>
/// <param name="Folders">The folders, relative to the run file's folder, in load order.</param>
public sealed record ResourcesProfile(string Name, IReadOnlyList<string> Folders)
{
    /// <summary>state.sqlite (one file under .dapr/state) and pubsub.in-memory: nothing to install. The default.</summary>
    public static readonly ResourcesProfile Embedded = new("embedded", ["components/common", "components/embedded"]);

    /// <summary>state.redis and pubsub.redis on the Redis that <c>dapr init</c> starts on localhost:6379.</summary>
    public static readonly ResourcesProfile Redis = new("redis", ["components/common", "components/redis"]);

    /// <summary>
    /// state.postgresql and pubsub.redis, for the real Dapr; the local runtime has no
    /// state.postgresql yet and stops at component load saying so.
    /// </summary>
    public static readonly ResourcesProfile Postgres = new("postgres", ["components/common", "components/postgres"]);

    /// <summary>Every profile, in the order help lists them.</summary>
    public static IReadOnlyList<ResourcesProfile> All { get; } = [Embedded, Redis, Postgres];

    /// <summary>The profile called <paramref name="name"/> (exactly, lower case), or null.</summary>
    public static ResourcesProfile? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>The folders, absolute, for a run file in <paramref name="runFileDirectory"/>.</summary>
    public IReadOnlyList<string> ResourcesPaths(string runFileDirectory) =>
        Folders.Select(f => Path.GetFullPath(Path.Combine(runFileDirectory, f))).ToList();
}
