namespace DaprShop.Testing;

/// <summary>The repository the tests were built from: the folder above the test binaries that holds DaprShop.sln.</summary>
public static class RepositoryFolder
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    /// <summary>A file or folder in the repository, from its path segments (<c>"components", "config.yaml"</c>).</summary>
    public static string Combine(params string[] segments) => System.IO.Path.Combine([Path, .. segments]);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "DaprShop.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"DaprShop.sln not found above {AppContext.BaseDirectory}.");
    }
}
