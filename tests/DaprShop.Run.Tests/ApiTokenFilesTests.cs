using DaprShop.Run.Supervision;

namespace DaprShop.Run.Tests;

public sealed class ApiTokenFilesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_files_a_run_wrote_are_deleted_when_it_stops()
    {
        var files = new ApiTokenFiles(_temp.Path);
        files.Write("order-service", "token-1");
        files.Write("payment-service", "token-2");
        Assert.Equal("token-1", File.ReadAllText(files.PathFor("order-service")));

        var failures = files.DeleteWritten();

        Assert.Empty(failures);
        Assert.Empty(Directory.EnumerateFiles(files.Directory));
    }

    [Fact]
    public void A_tokens_folder_removed_while_the_shop_ran_is_no_failure_when_it_stops()
    {
        var files = new ApiTokenFiles(_temp.Path);
        files.Write("order-service", "token-1");
        Directory.Delete(Path.Combine(_temp.Path, ".dapr"), recursive: true);

        var failures = files.DeleteWritten();

        Assert.Empty(failures);
        Assert.False(Directory.Exists(files.Directory));
    }
}
