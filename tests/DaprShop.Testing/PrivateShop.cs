using System.Globalization;
using System.Text;

namespace DaprShop.Testing;

/// <summary>One app of a private run file: its project under services/, its ports and its environment.</summary>
public sealed record RunFileApp(string AppId, string Project, int AppPort, int DaprHttpPort, int DaprGrpcPort, IReadOnlyDictionary<string, string> Env);

/// <summary>
/// The files of a private copy of the shop, as the end-to-end tests and the bench start it: the components in a work
/// folder of its own and a run file for the runner, so that a run never shares state or ports with another.
/// </summary>
public static class PrivateShop
{
    /// <summary>The profiles a private shop can run on: the components folder each adds to components/common.</summary>
    public static IReadOnlyList<string> Profiles { get; } = ["embedded", "redis", "postgres"];

    /// <summary>
    /// Copies components/common, components/<paramref name="profile"/> and components/config.yaml into
    /// <paramref name="work"/>/components. The components name their files relative to each app's folder (services/X,
    /// <c>../../</c>), as daprd started by the Dapr CLI resolves them; the copies point into <paramref name="work"/>
    /// instead. On the redis profile the components point at <paramref name="redis"/> (address, database) instead of
    /// localhost:6379. <paramref name="adjust"/> may change a copy further (file name, text → text).
    /// </summary>
    public static async Task CopyComponentsAsync(
        string repo,
        string work,
        Func<string, string, string>? adjust = null,
        string profile = "embedded",
        (string Address, int Database)? redis = null,
        string? postgres = null,
        CancellationToken cancellationToken = default)
    {
        if (!Profiles.Contains(profile))
        {
            throw new ArgumentOutOfRangeException(nameof(profile), profile, $"one of {string.Join(", ", Profiles)}");
        }

        foreach (var folder in new[] { "common", profile })
        {
            var target = Path.Combine(work, "components", folder);
            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(repo, "components", folder)))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        File.Copy(Path.Combine(repo, "components", "config.yaml"), Path.Combine(work, "components", "config.yaml"));
        foreach (var yaml in Directory.EnumerateFiles(Path.Combine(work, "components"), "*.yaml", SearchOption.AllDirectories))
        {
            var text = (await File.ReadAllTextAsync(yaml, cancellationToken)).Replace("../../", work + "/", StringComparison.Ordinal);
            if (redis is { } server)
            {
                text = PointAtRedis(text, server.Address, server.Database);
            }

            if (postgres is not null)
            {
                text = PointAtPostgres(text, postgres);
            }

            await File.WriteAllTextAsync(yaml, adjust is null ? text : adjust(Path.GetFileName(yaml), text), cancellationToken);
        }
    }

    /// <summary>
    /// Replaces the copied development secrets file (the secret store's <c>secretsFile</c>,
    /// <c>components/common/dev-secrets.json</c>) with a private shop's own: a random signing key, since the gateway
    /// refuses the committed development key outside Development, and <paramref name="adminPassword"/> for the admin
    /// account the gateway seeds.
    /// </summary>
    public static Task WriteSecretsAsync(string workDirectory, string adminPassword, CancellationToken cancellationToken = default)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["jwt-signing-key"] = $"private-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}",
            ["admin-password"] = adminPassword,
        };
        return File.WriteAllTextAsync(Path.Combine(workDirectory, "components", "common", "dev-secrets.json"), System.Text.Json.JsonSerializer.Serialize(secrets), cancellationToken);
    }

    /// <summary>
    /// A component's text with its <c>redisHost</c> (localhost:6379, as <c>dapr init</c> serves it) replaced by
    /// <paramref name="address"/> and a <c>redisDB</c> of <paramref name="database"/> added after it.
    /// </summary>
    public static string PointAtRedis(string text, string address, int database)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.ReplaceLineEndings("\n");
        const string Host = "    - name: redisHost\n      value: localhost:6379\n";
        if (!normalized.Contains("redisHost", StringComparison.Ordinal))
        {
            return text;
        }

        return normalized.Contains(Host, StringComparison.Ordinal)
            ? normalized.Replace(Host, string.Create(CultureInfo.InvariantCulture, $"    - name: redisHost\n      value: {address}\n    - name: redisDB\n      value: \"{database}\"\n"), StringComparison.Ordinal)
            : throw new InvalidOperationException("a component names redisHost, but not as 'value: localhost:6379' the private shop replaces; update PrivateShop.PointAtRedis");
    }

    /// <summary>A <c>state.postgresql</c> component's text with its <c>connectionString</c> replaced by <paramref name="connectionString"/>.</summary>
    public static string PointAtPostgres(string text, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("type: state.postgresql", StringComparison.Ordinal))
        {
            return text;
        }

        var normalized = text.ReplaceLineEndings("\n");
        const string Field = "    - name: connectionString\n      value: ";
        var start = normalized.IndexOf(Field, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException("the state.postgresql component has no 'connectionString' line the private shop replaces; update PrivateShop.PointAtPostgres");
        }

        var valueStart = start + Field.Length;
        var end = normalized.IndexOf('\n', valueStart);
        return string.Concat(normalized.AsSpan(0, valueStart), $"\"{connectionString}\"", normalized.AsSpan(end));
    }

    /// <summary>A run file (dapr.yaml) for the copied components of <paramref name="profile"/> that starts each app's <paramref name="configuration"/> build.</summary>
    public static string RunFile(string repo, string configuration, IEnumerable<RunFileApp> apps, string profile = "embedded")
    {
        ArgumentNullException.ThrowIfNull(apps);
        var yaml = new StringBuilder();
        yaml.AppendLine("version: 1");
        yaml.AppendLine("common:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  resourcesPaths: [./components/common, ./components/{profile}]");
        yaml.AppendLine("  configFilePath: ./components/config.yaml");
        yaml.AppendLine("apps:");
        foreach (var app in apps)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - appID: {app.AppId}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    appDirPath: {Path.Combine(repo, "services", app.Project)}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    appPort: {app.AppPort}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    daprHTTPPort: {app.DaprHttpPort}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    daprGRPCPort: {app.DaprGrpcPort}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    command: [\"dotnet\", \"run\", \"--no-build\", \"-c\", \"{configuration}\"]");
            yaml.AppendLine("    env:");
            foreach (var (name, value) in app.Env)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      {name}: \"{value}\"");
            }
        }

        return yaml.ToString();
    }
}
