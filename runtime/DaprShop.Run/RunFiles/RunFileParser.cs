using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaprShop.Run.RunFiles;

/// <summary>
/// Reads a Dapr Multi-App Run file (version 1) strictly: a field the Dapr CLI does not know, a
/// value of the wrong type, a missing required field or a path that does not exist is a
/// <see cref="RunFileException"/> with one line naming the file, the line and the field.
/// </summary>
/// <remarks>
/// Paths resolve as the Dapr CLI resolves them (<c>pkg/runfileconfig</c>): <c>common</c>'s and
/// every <c>appDirPath</c> against the run file's folder; an app's own <c>resourcesPaths</c> and
/// <c>configFilePath</c> against its <c>appDirPath</c>. An app's value wins over <c>common</c>'s, and
/// its <c>env</c> entries over <c>common.env</c>'s.
/// </remarks>
public static class RunFileParser
{
    /// <summary>The file name <c>dapr run -f &lt;folder&gt;</c> looks for.</summary>
    public const string DefaultFileName = "dapr.yaml";

    private const string DefaultHealthCheckPath = "/healthz";

    private static readonly string[] AppProtocols = ["http", "https", "grpc", "grpcs", "h2c"];

    /// <summary>The fields of the CLI's <c>SharedRunConfig</c>: allowed in <c>common</c> and in every app.</summary>
    private static readonly Dictionary<string, FieldKind> SharedFields = new(StringComparer.Ordinal)
    {
        ["configFilePath"] = FieldKind.String,
        ["appProtocol"] = FieldKind.String,
        ["apiListenAddresses"] = FieldKind.String,
        ["enableProfiling"] = FieldKind.Bool,
        ["logLevel"] = FieldKind.String,
        ["appMaxConcurrency"] = FieldKind.Int,
        ["placementHostAddress"] = FieldKind.String,
        ["resourcesPath"] = FieldKind.String,
        ["resourcesPaths"] = FieldKind.StringList,
        ["appSSL"] = FieldKind.Bool,
        ["maxBodySize"] = FieldKind.String,
        ["readBufferSize"] = FieldKind.String,
        ["enableAppHealthCheck"] = FieldKind.Bool,
        ["appHealthCheckPath"] = FieldKind.String,
        ["appHealthProbeInterval"] = FieldKind.Int,
        ["appHealthProbeTimeout"] = FieldKind.Int,
        ["appHealthThreshold"] = FieldKind.Int,
        ["enableApiLogging"] = FieldKind.Bool,
        ["runtimePath"] = FieldKind.String,
        ["env"] = FieldKind.StringMap,
        ["daprdLogDestination"] = FieldKind.String,
        ["appLogDestination"] = FieldKind.String,
        ["schedulerHostAddress"] = FieldKind.String,
    };

    /// <summary>The fields only an app may have (the CLI's <c>RunConfig</c>, container settings and <c>appDirPath</c>).</summary>
    private static readonly Dictionary<string, FieldKind> AppOnlyFields = new(StringComparer.Ordinal)
    {
        ["appID"] = FieldKind.String,
        ["appDirPath"] = FieldKind.String,
        ["appChannelAddress"] = FieldKind.String,
        ["appPort"] = FieldKind.Int,
        ["daprHTTPPort"] = FieldKind.Int,
        ["daprGRPCPort"] = FieldKind.Int,
        ["profilePort"] = FieldKind.Int,
        ["command"] = FieldKind.StringList,
        ["metricsPort"] = FieldKind.Int,
        ["unixDomainSocket"] = FieldKind.String,
        ["daprInternalGRPCPort"] = FieldKind.Int,
        ["containerImage"] = FieldKind.String,
        ["containerImagePullPolicy"] = FieldKind.String,
        ["createService"] = FieldKind.Bool,
    };

    private static readonly Dictionary<string, FieldKind> TopLevelFields = new(StringComparer.Ordinal)
    {
        ["version"] = FieldKind.Int,
        ["name"] = FieldKind.String,
        ["common"] = FieldKind.Mapping,
        ["apps"] = FieldKind.Sequence,
    };

    /// <summary>The fields the local runner applies; any other known field is reported as ignored.</summary>
    private static readonly HashSet<string> AppliedFields = new(StringComparer.Ordinal)
    {
        "appID", "appDirPath", "command", "appPort", "daprHTTPPort", "daprGRPCPort", "metricsPort",
        "resourcesPath", "resourcesPaths", "configFilePath", "env", "appProtocol", "appChannelAddress",
        "appHealthCheckPath", "enableAppHealthCheck", "appHealthProbeInterval", "appHealthProbeTimeout", "appHealthThreshold",
    };

    private enum FieldKind
    {
        String,
        Int,
        Bool,
        StringList,
        StringMap,
        Mapping,
        Sequence,
    }

    /// <summary>Reads a run file; a folder stands for the <c>dapr.yaml</c> in it, as with <c>dapr run -f</c>.</summary>
    public static RunFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            full = Path.Combine(full, DefaultFileName);
        }

        if (!File.Exists(full))
        {
            throw new RunFileException($"{full}: run file not found");
        }

        return Parse(File.ReadAllText(full), full);
    }

    /// <summary>Parses run-file text; <paramref name="filePath"/> names the file in errors and anchors relative paths.</summary>
    public static RunFile Parse(string yaml, string filePath)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        return new Reader(Path.GetFullPath(filePath)).Read(yaml);
    }

    private sealed record Field(YamlNode Node, object? Value);

    private sealed class Reader(string file)
    {
        private readonly List<string> _ignored = [];

        private string BaseDirectory => Path.GetDirectoryName(file)!;

        public RunFile Read(string yaml)
        {
            var root = LoadRoot(yaml);
            var top = ReadSection(root, string.Empty, TopLevelFields, scopeName: "the top level");
            if (!top.TryGetValue("version", out var version) || version.Value is null or 0)
            {
                throw Fail(root, "version", "required field is missing (the only version is 1)");
            }

            if ((int)version.Value != 1)
            {
                throw Fail(version.Node, "version", $"{version.Value} is not supported (the only version is 1)");
            }

            var common = top.TryGetValue("common", out var commonField) && commonField.Node is YamlMappingNode commonNode
                ? ReadSection(commonNode, "common", SharedFields, scopeName: "common")
                : [];
            if (!top.TryGetValue("apps", out var appsField) || appsField.Node is not YamlSequenceNode { Children.Count: > 0 } appsNode)
            {
                throw Fail(top.TryGetValue("apps", out var empty) ? empty.Node : root, "apps", "no apps to run: the list is missing or empty");
            }

            var apps = new List<RunFileApp>();
            for (var i = 0; i < appsNode.Children.Count; i++)
            {
                if (appsNode.Children[i] is not YamlMappingNode appNode)
                {
                    throw Fail(appsNode.Children[i], $"apps[{i}]", "must be a mapping with appID, appDirPath, command, ...");
                }

                apps.Add(ReadApp(appNode, $"apps[{i}]", common));
            }

            CheckUnique(apps, appsNode);
            return new RunFile(file, 1, top.TryGetValue("name", out var name) ? (string?)name.Value : null, apps, _ignored);
        }

        private YamlMappingNode LoadRoot(string yaml)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException e)
            {
                throw new RunFileException($"{file}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {(e.InnerException ?? e).Message}", e);
            }

            return stream.Documents.Count switch
            {
                0 => throw new RunFileException($"{file}: the run file is empty"),
                > 1 => throw new RunFileException($"{file}: holds {stream.Documents.Count} YAML documents; a run file is one"),
                _ => stream.Documents[0].RootNode as YamlMappingNode
                    ?? throw Fail(stream.Documents[0].RootNode, "(root)", "must be a mapping with version, common and apps"),
            };
        }

        private RunFileApp ReadApp(YamlMappingNode node, string path, Dictionary<string, Field> common)
        {
            var fields = new Dictionary<string, FieldKind>(SharedFields, StringComparer.Ordinal);
            foreach (var (key, kind) in AppOnlyFields)
            {
                fields[key] = kind;
            }

            var app = ReadSection(node, path, fields, scopeName: path);
            if (!app.TryGetValue("appDirPath", out var dirField) || string.IsNullOrWhiteSpace((string?)dirField.Value))
            {
                throw Fail(node, $"{path}.appDirPath", "required field is missing");
            }

            var appDir = ExistingDirectory(dirField, $"{path}.appDirPath", BaseDirectory);
            var appId = app.TryGetValue("appID", out var idField) && !string.IsNullOrWhiteSpace((string?)idField.Value)
                ? (string)idField.Value!
                : Path.GetFileName(appDir.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            if (appId.Contains('.', StringComparison.Ordinal))
            {
                throw Fail(idField?.Node ?? node, $"{path}.appID", $"'{appId}' must not contain dots (daprd refuses such app ids)");
            }

            var protocol = ((string?)Value(app, common, "appProtocol") ?? "http").ToLowerInvariant();
            if (!AppProtocols.Contains(protocol, StringComparer.Ordinal))
            {
                throw Fail(NodeOf(app, common, "appProtocol")!, $"{path}.appProtocol", $"'{protocol}' is not one of {string.Join(", ", AppProtocols)}");
            }

            return new RunFileApp
            {
                AppId = appId,
                AppDirPath = appDir,
                Command = app.TryGetValue("command", out var command) ? (IReadOnlyList<string>)command.Value! : [],
                AppPort = Port(app, "appPort", path),
                DaprHttpPort = Port(app, "daprHTTPPort", path),
                DaprGrpcPort = Port(app, "daprGRPCPort", path),
                MetricsPort = Port(app, "metricsPort", path),
                ResourcesPaths = ResourcesPaths(app, common, path, appDir),
                ConfigFilePath = ConfigFile(app, common, path, appDir),
                Env = Env(app, common),
                AppProtocol = protocol,
                AppChannelAddress = (string?)Value(app, [], "appChannelAddress"),
                AppHealthCheckPath = (string?)Value(app, common, "appHealthCheckPath") ?? DefaultHealthCheckPath,
                AppHealthCheck = HealthCheck(app, common, path),
            };
        }

        /// <summary>
        /// daprd's app health checks when <c>enableAppHealthCheck</c> is true: the path, the probe interval (seconds), the
        /// probe timeout (milliseconds) and the threshold, each daprd's default when left out or not positive.
        /// </summary>
        private Sidecar.AppChannel.AppHealthCheckOptions? HealthCheck(Dictionary<string, Field> app, Dictionary<string, Field> common, string path)
        {
            if (Value(app, common, "enableAppHealthCheck") is not true)
            {
                return null;
            }

            var options = Sidecar.AppChannel.AppHealthCheckOptions.Create(
                (string?)Value(app, common, "appHealthCheckPath"),
                TimeSpan.FromSeconds(Value(app, common, "appHealthProbeInterval") as int? ?? 0),
                TimeSpan.FromMilliseconds(Value(app, common, "appHealthProbeTimeout") as int? ?? 0),
                Value(app, common, "appHealthThreshold") as int? ?? 0);
            return options.Problem is { } problem
                ? throw Fail(NodeOf(app, common, "appHealthProbeTimeout") ?? NodeOf(app, common, "enableAppHealthCheck")!, $"{path}.appHealthProbeTimeout", problem)
                : options;
        }

        /// <summary>app.resourcesPaths (+ resourcesPath) &gt; appDirPath/.dapr/resources &gt; common's.</summary>
        private List<string> ResourcesPaths(Dictionary<string, Field> app, Dictionary<string, Field> common, string path, string appDir)
        {
            var own = ResourceFolders(app, path, appDir);
            if (own.Count > 0)
            {
                return own;
            }

            var local = Path.Combine(appDir, ".dapr", "resources");
            return Directory.Exists(local) ? [local] : ResourceFolders(common, "common", BaseDirectory);
        }

        private List<string> ResourceFolders(Dictionary<string, Field> section, string path, string baseDirectory)
        {
            var folders = new List<string>();
            if (section.TryGetValue("resourcesPaths", out var list))
            {
                var sequence = (YamlSequenceNode)list.Node;
                var values = (IReadOnlyList<string>)list.Value!;
                for (var i = 0; i < values.Count; i++)
                {
                    folders.Add(ExistingDirectory(new Field(sequence.Children[i], values[i]), $"{path}.resourcesPaths[{i}]", baseDirectory));
                }
            }

            if (section.TryGetValue("resourcesPath", out var single) && !string.IsNullOrWhiteSpace((string?)single.Value))
            {
                folders.Add(ExistingDirectory(single, $"{path}.resourcesPath", baseDirectory));
            }

            return folders;
        }

        /// <summary>app.configFilePath &gt; appDirPath/.dapr/config.yaml &gt; common.configFilePath &gt; none.</summary>
        private string? ConfigFile(Dictionary<string, Field> app, Dictionary<string, Field> common, string path, string appDir)
        {
            if (app.TryGetValue("configFilePath", out var own) && !string.IsNullOrWhiteSpace((string?)own.Value))
            {
                return ExistingFile(own, $"{path}.configFilePath", appDir);
            }

            var local = Path.Combine(appDir, ".dapr", "config.yaml");
            if (File.Exists(local))
            {
                return local;
            }

            return common.TryGetValue("configFilePath", out var shared) && !string.IsNullOrWhiteSpace((string?)shared.Value)
                ? ExistingFile(shared, "common.configFilePath", BaseDirectory)
                : null;
        }

        private static Dictionary<string, string> Env(Dictionary<string, Field> app, Dictionary<string, Field> common)
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var section in new[] { common, app })
            {
                if (section.TryGetValue("env", out var field))
                {
                    foreach (var (key, value) in (IReadOnlyDictionary<string, string>)field.Value!)
                    {
                        env[key] = value;
                    }
                }
            }

            return env;
        }

        private int? Port(Dictionary<string, Field> app, string name, string path)
        {
            if (!app.TryGetValue(name, out var field) || field.Value is not int port || port <= 0)
            {
                return null;
            }

            return port <= 65535 ? port : throw Fail(field.Node, $"{path}.{name}", $"{port} is not a TCP port (1-65535)");
        }

        /// <summary>The app's value, or <c>common</c>'s where the app's is missing or Go's zero value (false, 0, ""), as the CLI merges them.</summary>
        private static object? Value(Dictionary<string, Field> app, Dictionary<string, Field> common, string name) =>
            app.TryGetValue(name, out var own) && own.Value is not (null or false or 0 or "") ? own.Value
            : common.TryGetValue(name, out var shared) ? shared.Value
            : app.TryGetValue(name, out var zero) ? zero.Value
            : null;

        private static YamlNode? NodeOf(Dictionary<string, Field> app, Dictionary<string, Field> common, string name) =>
            app.TryGetValue(name, out var own) ? own.Node : common.TryGetValue(name, out var shared) ? shared.Node : null;

        private void CheckUnique(List<RunFileApp> apps, YamlSequenceNode appsNode)
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var ports = new Dictionary<int, string>();
            for (var i = 0; i < apps.Count; i++)
            {
                var app = apps[i];
                if (!ids.TryAdd(app.AppId, i))
                {
                    throw Fail(appsNode.Children[i], $"apps[{i}].appID", $"'{app.AppId}' is also the id of apps[{ids[app.AppId]}]");
                }

                foreach (var (name, port) in new[] { ("appPort", app.AppPort), ("daprHTTPPort", app.DaprHttpPort), ("daprGRPCPort", app.DaprGrpcPort), ("metricsPort", app.MetricsPort) })
                {
                    if (port is { } value && !ports.TryAdd(value, $"{app.AppId}.{name}"))
                    {
                        throw Fail(appsNode.Children[i], $"apps[{i}].{name}", $"port {value} is also {ports[value]}");
                    }
                }
            }
        }

        private Dictionary<string, Field> ReadSection(YamlMappingNode node, string path, IReadOnlyDictionary<string, FieldKind> fields, string scopeName)
        {
            var section = new Dictionary<string, Field>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in node.Children)
            {
                var key = keyNode is YamlScalarNode { Value: { } text } ? text : throw Fail(keyNode, path, "field names must be plain text");
                var fieldPath = path.Length == 0 ? key : $"{path}.{key}";
                if (!fields.TryGetValue(key, out var kind))
                {
                    throw Fail(keyNode, fieldPath, UnknownField(key, fields, scopeName));
                }

                if (path.Length > 0 && !AppliedFields.Contains(key))
                {
                    _ignored.Add(fieldPath);
                }

                var value = Convert(valueNode, fieldPath, kind);
                if (value is not null || kind is FieldKind.Mapping or FieldKind.Sequence)
                {
                    section[key] = new Field(valueNode, value);
                }
            }

            return section;
        }

        private static string UnknownField(string key, IReadOnlyDictionary<string, FieldKind> fields, string scopeName)
        {
            var near = fields.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (near is not null)
            {
                return $"unknown field '{key}'; did you mean '{near}'? (field names are case-sensitive)";
            }

            if (scopeName == "common" && AppOnlyFields.ContainsKey(key))
            {
                return $"'{key}' is a per-app field: move it under apps[]";
            }

            var typo = fields.Keys
                .Select(k => (Name: k, Distance: EditDistance(k.ToLowerInvariant(), key.ToLowerInvariant())))
                .Where(k => k.Distance <= 2)
                .OrderBy(k => k.Distance)
                .ThenBy(k => k.Name, StringComparer.Ordinal)
                .Select(k => k.Name)
                .FirstOrDefault();
            return typo is not null
                ? $"unknown field '{key}' in {scopeName}; did you mean '{typo}'?"
                : $"unknown field '{key}' in {scopeName} (known: {string.Join(", ", fields.Keys.Order(StringComparer.Ordinal))})";
        }

        /// <summary>The Levenshtein distance: how many one-character edits turn one name into the other.</summary>
        private static int EditDistance(string a, string b)
        {
            var previous = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var current = new int[b.Length + 1];
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }

                previous = current;
            }

            return previous[b.Length];
        }

        private object? Convert(YamlNode node, string path, FieldKind kind)
        {
            if (kind is FieldKind.Mapping)
            {
                return node is YamlMappingNode || IsNull(node) ? node : throw Fail(node, path, "must be a mapping");
            }

            if (kind is FieldKind.Sequence)
            {
                return node is YamlSequenceNode || IsNull(node) ? node : throw Fail(node, path, "must be a list");
            }

            if (IsNull(node))
            {
                return null;
            }

            return kind switch
            {
                FieldKind.String => Scalar(node, path),
                FieldKind.Int => int.TryParse(Scalar(node, path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : throw Fail(node, path, $"'{Scalar(node, path)}' is not a whole number"),
                FieldKind.Bool => Scalar(node, path).ToLowerInvariant() switch
                {
                    "true" or "yes" or "on" => true,
                    "false" or "no" or "off" => false,
                    var other => throw Fail(node, path, $"'{other}' is not true or false"),
                },
                FieldKind.StringList => node is YamlSequenceNode sequence
                    ? sequence.Children.Select((item, i) => IsNull(item) ? throw Fail(item, $"{path}[{i}]", "must not be empty") : Scalar(item, $"{path}[{i}]")).ToList()
                    : throw Fail(node, path, $"must be a list, for example [\"{Scalar(node, path)}\"]"),
                FieldKind.StringMap => node is YamlMappingNode mapping
                    ? mapping.Children.ToDictionary(
                        e => Scalar(e.Key, path),
                        e => IsNull(e.Value) ? string.Empty : Scalar(e.Value, $"{path}.{Scalar(e.Key, path)}"),
                        StringComparer.Ordinal)
                    : throw Fail(node, path, "must be a mapping of NAME: value"),
                _ => throw new InvalidOperationException($"unhandled field kind {kind}"),
            };
        }

        private string Scalar(YamlNode node, string path) =>
            node is YamlScalarNode { Value: { } value } ? value : throw Fail(node, path, "must be a single value, not a list or mapping");

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

        private string ExistingDirectory(Field field, string path, string baseDirectory)
        {
            var resolved = ResolvePath(baseDirectory, (string)field.Value!);
            return Directory.Exists(resolved) ? resolved : throw Fail(field.Node, path, $"folder '{field.Value}' ({resolved}) does not exist");
        }

        private string ExistingFile(Field field, string path, string baseDirectory)
        {
            var resolved = ResolvePath(baseDirectory, (string)field.Value!);
            return File.Exists(resolved) ? resolved : throw Fail(field.Node, path, $"file '{field.Value}' ({resolved}) does not exist");
        }

        private static string ResolvePath(string baseDirectory, string path)
        {
            if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            {
                path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : string.Empty);
            }

            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(baseDirectory, path)));
        }

        private RunFileException Fail(YamlNode node, string path, string problem) =>
            new($"{file}:{node.Start.Line}:{node.Start.Column}: {path}: {problem}");
    }
}
