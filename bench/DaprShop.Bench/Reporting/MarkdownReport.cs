using System.Globalization;
using System.Text;
using DaprShop.Bench.Load;

namespace DaprShop.Bench.Reporting;

/// <summary>The report as Markdown: the run's environment, then per scenario its tables, targets, violations and notes.</summary>
internal static class MarkdownReport
{
    private static readonly double[] Percentiles = [50, 90, 99, 99.9];

    public static string Render(BenchReport report, string chartFileName)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var env = report.Environment;
        md.AppendLine(CultureInfo.InvariantCulture, $"# DaprShop benchmark: {report.Scenario}");
        md.AppendLine();
        Table(md, ["", ""], [
            ["machine", env.Machine],
            ["load average (1/5/15 min)", $"{env.LoadAverageAtStart} at start, {env.LoadAverageAtEnd ?? "?"} at end"],
            ["commit", env.Commit],
            ["date", env.Date.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)],
            ["command", $"`{env.Command}`"],
            ["shop", env.Shop ?? "-"],
        ]);
        md.AppendLine();
        if (report.Results.Any(r => r.Series.Count > 0))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"![latency by percentile]({chartFileName})");
            md.AppendLine();
        }

        foreach (var result in report.Results)
        {
            Scenario(md, result);
        }

        return md.ToString();
    }

    private static void Scenario(StringBuilder md, ScenarioResult result)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"## {result.Name}: {result.Title}");
        md.AppendLine();
        if (result.Skipped is { } reason)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Skipped: {reason}");
            md.AppendLine();
            return;
        }

        if (result.Failed is { } error)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**Failed**: {error}");
            md.AppendLine();
            return;
        }

        if (result.Method is { } method)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"How: {method}");
            md.AppendLine();
        }

        if (result.Load is { } load)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Load: {load}.");
            md.AppendLine();
        }

        if (result.Series.Count > 0)
        {
            SeriesTable(md, result.Series);
            OutcomeTable(md, result.Series);
        }

        if (result.Metrics.Count > 0)
        {
            Table(md, ["measured", "value", "note"], [.. result.Metrics.Select(m => (IReadOnlyList<string>)[
                m.Name,
                m.Value is { } v ? $"{Format.Number(v)} {m.Unit}".TrimEnd() : "-",
                m.Note ?? "",
            ])]);
            md.AppendLine();
        }

        foreach (var table in result.Tables)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"{table.Caption}:");
            md.AppendLine();
            Table(md, table.Columns, table.Rows, numbers: true);
            md.AppendLine();
        }

        if (result.Targets.Count > 0)
        {
            Table(md, ["target (DESIGN.md)", "measured", "status"], [.. result.Targets.Select(t => (IReadOnlyList<string>)[
                t.Target,
                t.Measured,
                t.Met switch { true => "met", false => "**not met**", null => "not determined" },
            ])]);
            md.AppendLine();
        }

        if (result.Violations.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**Violations** ({result.Violations.Count}):");
            md.AppendLine();
            foreach (var violation in result.Violations)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {violation}");
            }

            md.AppendLine();
        }

        foreach (var note in result.Notes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        if (result.Notes.Count > 0)
        {
            md.AppendLine();
        }
    }

    private static void SeriesTable(StringBuilder md, List<SeriesResult> series)
    {
        var columns = new List<string> { "series", "requests", "req/s" };
        columns.AddRange(Percentiles.Select(p => $"p{p.ToString(CultureInfo.InvariantCulture)} ms"));
        columns.AddRange(["max ms", "p99 ms from actual send (no CO correction)", "errors", "not sent"]);
        var rows = series.Select(s =>
        {
            var row = new List<string> { s.Name, Format.Count(s.Requests), Format.Rate(s.Throughput) };
            row.AddRange(Percentiles.Select(p => s.Latency is { } l ? Format.Millis(l.At(p)) : "-"));
            row.Add(s.Latency is { } latency ? Format.Millis(latency.MaxMs) : "-");
            row.Add(s.ServiceTime is { } service ? Format.Millis(service.P99Ms) : "-");
            row.Add(Format.Count(s.Errors));
            row.Add(Format.Count(s.NotSent));
            return (IReadOnlyList<string>)row;
        });
        Table(md, columns, [.. rows], numbers: true);
        md.AppendLine();
        if (series.Any(s => s.NotSent > 0))
        {
            md.AppendLine($"Not sent: requests that fell due while {Format.Count(LoadDriver.MaxInFlight)} were already waiting for an answer, "
                + "and were still waiting to be sent when sending stopped (1 s after the planned end). They have no latency, so the "
                + "percentiles above understate what callers would have seen.");
            md.AppendLine();
        }
    }

    private static void OutcomeTable(StringBuilder md, List<SeriesResult> series)
    {
        var rows = series.SelectMany(s => s.Outcomes.Select(o => (IReadOnlyList<string>)[
            s.Name,
            o.Key,
            Format.Count(o.Value),
            s.ErrorExamples.TryGetValue(o.Key, out var example) ? $"`{example.Replace("`", "'", StringComparison.Ordinal)}`" : "",
        ])).ToList();
        if (rows.Count > 0)
        {
            Table(md, ["series", "answer", "count", "first error of that kind said"], rows);
            md.AppendLine();
        }
    }

    private static void Table(StringBuilder md, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows, bool numbers = false)
    {
        md.AppendLine("| " + string.Join(" | ", columns.Select(Cell)) + " |");
        md.AppendLine("|" + string.Join("|", columns.Select((_, i) => numbers && i > 0 ? "--:" : "---")) + "|");
        foreach (var row in rows)
        {
            md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        }
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
}
