using System.Collections;
using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.Secrets.LocalEnv;

/// <summary>
/// <c>secretstores.local.env</c>: the sidecar process's environment variables, as
/// components-contrib's <c>secretstores/local/env/envstore.go</c> reads them. Metadata:
/// <c>prefix</c> (optional), prepended to the name asked for and stripped from bulk results.
/// A variable that is not set reads as an empty value, not an error; <c>APP_API_TOKEN</c> and
/// every <c>DAPR_*</c> variable (any case) read as empty and are left out of bulk results.
/// </summary>
public sealed class LocalEnvSecretStore(string prefix) : ISecretStore
{
    public static LocalEnvSecretStore Load(ComponentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new LocalEnvSecretStore(spec.Metadata.Text("prefix", string.Empty));
    }

    public Task<IReadOnlyDictionary<string, string>?> GetSecretAsync(
        string name,
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        var variable = prefix + name;
        var value = IsAllowed(variable) ? Environment.GetEnvironmentVariable(variable) ?? string.Empty : string.Empty;
        return Task.FromResult<IReadOnlyDictionary<string, string>?>(new Dictionary<string, string>(StringComparer.Ordinal) { [name] = value });
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> GetBulkSecretsAsync(
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var secrets = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var variable = (string)entry.Key;
            if (variable.Length <= prefix.Length || !variable.StartsWith(prefix, StringComparison.Ordinal) || !IsAllowed(variable))
            {
                continue;
            }

            var name = variable[prefix.Length..];
            secrets[name] = new Dictionary<string, string>(StringComparer.Ordinal) { [name] = (string?)entry.Value ?? string.Empty };
        }

        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>(secrets);
    }

    private static bool IsAllowed(string variable)
    {
        var upper = variable.ToUpperInvariant();
        return upper != "APP_API_TOKEN" && !upper.StartsWith("DAPR_", StringComparison.Ordinal);
    }
}
