namespace DaprShop.Bench.Shop;

/// <summary>The repository the bench runs in: the folder with DaprShop.sln above the working folder or the bench's binaries.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DaprShop.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"DaprShop.sln not found above {Environment.CurrentDirectory} nor {AppContext.BaseDirectory}");
    }
}
