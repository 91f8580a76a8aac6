namespace DaprShop.Run.Supervision;

/// <summary>
/// Each sidecar's Dapr API token, written for the person running the shop: <c>.dapr/tokens/&lt;app-id&gt;</c> next to
/// the run file, readable by its owner only (0600 on Unix), replaced every run and deleted when the run stops cleanly.
/// With the token a call by hand still works with every sidecar locked:
/// <c>curl -H "dapr-api-token: $(cat .dapr/tokens/payment-service)" localhost:3502/v1.0/...</c>.
/// </summary>
public sealed class ApiTokenFiles(string runFileDirectory)
{
    private readonly List<string> _written = [];

    /// <summary>The folder the tokens are written to.</summary>
    public string Directory { get; } = Path.Combine(runFileDirectory, ".dapr", "tokens");

    public string PathFor(string appId) => Path.Combine(Directory, appId);

    public void Write(string appId, string token)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathFor(appId);
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(path, System.Text.Encoding.ASCII, options))
        {
            file.Write(token);
        }

        _written.Add(path);
    }

    /// <summary>
    /// Deletes the files this run wrote (a token is worthless once its sidecar is gone) and returns why any could not
    /// be: the run is stopping, so a failed clean-up is reported, not thrown. A file whose folder was removed meanwhile
    /// (someone deleted <c>.dapr/</c> to start afresh) is gone already.
    /// </summary>
    public IReadOnlyList<string> DeleteWritten()
    {
        var failures = new List<string>();
        foreach (var path in _written)
        {
            try
            {
                File.Delete(path);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{path}: {e.Message}");
            }
        }

        _written.Clear();
        return failures;
    }
}
