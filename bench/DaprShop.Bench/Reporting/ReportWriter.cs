using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaprShop.Bench.Reporting;

/// <summary>Writes a report as <c>&lt;name&gt;.md</c>, <c>.json</c> and <c>.svg</c> in one folder; returns the Markdown.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // A file for people and tools, never embedded in HTML: keep quotes and + readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<(string Markdown, IReadOnlyList<string> Files)> WriteAsync(BenchReport report, string directory, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var markdown = MarkdownReport.Render(report, $"{name}.svg");
        var files = new[]
        {
            (Path.Combine(directory, $"{name}.md"), markdown),
            (Path.Combine(directory, $"{name}.json"), JsonSerializer.Serialize(report, Json) + "\n"),
            (Path.Combine(directory, $"{name}.svg"), PercentileChart.Render(report)),
        };
        foreach (var (path, text) in files)
        {
            await File.WriteAllTextAsync(path, text, cancellationToken);
        }

        return (markdown, [.. files.Select(f => f.Item1)]);
    }
}
