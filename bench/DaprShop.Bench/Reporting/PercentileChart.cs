using System.Globalization;
using System.Security;
using System.Text;

namespace DaprShop.Bench.Reporting;

/// <summary>
/// The latency-by-percentile chart as a hand-written SVG: percentiles on the x axis in equal steps of nines
/// (p50, p90, p99, p99.9, p99.99), latency on the y axis (linear, or logarithmic when the series span more
/// than a factor of 30), one line per series.
/// </summary>
internal static class PercentileChart
{
    private const double Width = 1000;
    private const double Height = 560;
    private const double Left = 80;
    private const double Right = 340;
    private const double Top = 56;
    private const double Bottom = 96;
    private const double PlotWidth = Width - Left - Right;
    private const double PlotHeight = Height - Top - Bottom;

    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    private static readonly double[] LogTickMultiples = [1, 2, 5];
    private static readonly double[] NiceStepMultiples = [1, 2, 2.5, 5, 10];
    private static readonly (double Nines, string Label)[] XTicks = [(0.30103, "p50"), (1, "p90"), (2, "p99"), (3, "p99.9"), (4, "p99.99")];

    public static string Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var series = report.Results.SelectMany(r => r.Series.Select(s => (Label: SeriesLabel(r, s), Series: s))).Where(s => s.Series.Curve.Count > 0).ToList();
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="Helvetica, Arial, sans-serif" font-size="12">""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""  <rect x="0" y="0" width="{Width}" height="{Height}" fill="#ffffff"/>""");
        Text(svg, Left, 28, $"DaprShop benchmark: {report.Scenario}, latency by percentile", size: 16, weight: "bold");

        if (series.Count == 0)
        {
            Text(svg, Left + (PlotWidth / 2), Top + (PlotHeight / 2), "no latency series in this report", anchor: "middle", colour: "#666666");
        }
        else
        {
            var all = series.SelectMany(s => s.Series.Curve).Select(p => p.Millis).ToList();
            var axis = YAxis.For(all.Where(v => v > 0).DefaultIfEmpty(0.001).Min(), all.Max());
            Grid(svg, axis);
            for (var i = 0; i < series.Count; i++)
            {
                Line(svg, series[i].Series, axis, Colours[i % Colours.Length]);
                Legend(svg, i, series[i].Label, series[i].Series, Colours[i % Colours.Length]);
            }
        }

        var env = report.Environment;
        Text(svg, Left, Height - 40, $"{env.Machine}", size: 11, colour: "#444444");
        Text(svg, Left, Height - 24, $"commit {env.Commit}, {env.Date.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}, load average at start {env.LoadAverageAtStart}", size: 11, colour: "#444444");
        Text(svg, Left, Height - 8, env.Command, size: 11, colour: "#444444");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string SeriesLabel(ScenarioResult result, SeriesResult series) =>
        series.Name.StartsWith(result.Name, StringComparison.Ordinal) ? series.Name : $"{result.Name}: {series.Name}";

    private static double X(double nines) => Left + ((nines - CurvePoint.FirstNines) / (CurvePoint.LastNines - CurvePoint.FirstNines) * PlotWidth);

    private static void Grid(StringBuilder svg, YAxis axis)
    {
        svg.AppendLine(CultureInfo.InvariantCulture, $"""  <rect x="{Left}" y="{Top}" width="{PlotWidth}" height="{PlotHeight}" fill="none" stroke="#999999"/>""");
        foreach (var (nines, label) in XTicks)
        {
            var x = N(X(nines));
            svg.AppendLine(CultureInfo.InvariantCulture, $"""  <line x1="{x}" y1="{Top}" x2="{x}" y2="{Top + PlotHeight}" stroke="#e0e0e0"/>""");
            Text(svg, X(nines), Top + PlotHeight + 18, label, anchor: "middle");
        }

        Text(svg, Left + (PlotWidth / 2), Top + PlotHeight + 38, "percentile (equal steps of nines)", anchor: "middle", colour: "#444444");
        foreach (var tick in axis.Ticks)
        {
            var y = N(axis.Y(tick));
            svg.AppendLine(CultureInfo.InvariantCulture, $"""  <line x1="{Left}" y1="{y}" x2="{Left + PlotWidth}" y2="{y}" stroke="#e0e0e0"/>""");
            Text(svg, Left - 8, axis.Y(tick) + 4, tick.ToString(tick >= 1000 ? "N0" : "0.###", CultureInfo.InvariantCulture), anchor: "end");
        }

        var middle = N(Top + (PlotHeight / 2));
        svg.AppendLine(CultureInfo.InvariantCulture, $"""  <text x="22" y="{middle}" transform="rotate(-90 22 {middle})" text-anchor="middle" fill="#444444">latency, ms{(axis.Logarithmic ? " (log scale)" : "")}</text>""");
    }

    private static void Line(StringBuilder svg, SeriesResult series, YAxis axis, string colour)
    {
        var points = string.Join(' ', series.Curve.Select(p => $"{N(X(p.Nines))},{N(axis.Y(p.Millis))}"));
        svg.AppendLine(CultureInfo.InvariantCulture, $"""  <polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>""");
    }

    private static void Legend(StringBuilder svg, int index, string label, SeriesResult series, string colour)
    {
        var x = Left + PlotWidth + 16;
        var y = Top + 8 + (index * 40);
        svg.AppendLine(CultureInfo.InvariantCulture, $"""  <line x1="{N(x)}" y1="{N(y)}" x2="{N(x + 22)}" y2="{N(y)}" stroke="{colour}" stroke-width="3"/>""");
        Text(svg, x + 30, y + 4, label);
        if (series.Latency is { } latency)
        {
            Text(svg, x + 30, y + 19, $"p50 {Format.Millis(latency.P50Ms)}, p99 {Format.Millis(latency.P99Ms)}, max {Format.Millis(latency.MaxMs)} ms", size: 11, colour: "#555555");
        }
    }

    private static void Text(StringBuilder svg, double x, double y, string text, double size = 12, string anchor = "start", string colour = "#222222", string weight = "normal") =>
        svg.AppendLine(CultureInfo.InvariantCulture, $"""  <text x="{N(x)}" y="{N(y)}" font-size="{N(size)}" text-anchor="{anchor}" fill="{colour}" font-weight="{weight}">{SecurityElement.Escape(text)}</text>""");

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The y axis: from 0 (linear) or a power of ten (logarithmic) to a round number above every value.</summary>
    private sealed record YAxis(bool Logarithmic, double Low, double High, IReadOnlyList<double> Ticks)
    {
        public static YAxis For(double min, double max)
        {
            if (max / min > 30)
            {
                var low = Math.Pow(10, Math.Floor(Math.Log10(min)));
                var high = Math.Pow(10, Math.Ceiling(Math.Log10(max)));
                var ticks = new List<double>();
                for (var decade = low; decade <= high * 1.0001; decade *= 10)
                {
                    ticks.AddRange(LogTickMultiples.Select(m => decade * m).Where(t => t <= high * 1.0001));
                }

                return new YAxis(true, low, high, ticks);
            }

            var step = NiceStep(max / 5);
            var top = Math.Ceiling(max / step) * step;
            return new YAxis(false, 0, top, [.. Enumerable.Range(0, (int)Math.Round(top / step) + 1).Select(i => i * step)]);
        }

        public double Y(double millis)
        {
            var fraction = Logarithmic
                ? (Math.Log10(Math.Max(millis, Low)) - Math.Log10(Low)) / (Math.Log10(High) - Math.Log10(Low))
                : (millis - Low) / (High - Low);
            return Top + PlotHeight - (Math.Clamp(fraction, 0, 1) * PlotHeight);
        }

        private static double NiceStep(double rough)
        {
            var power = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(rough, 1e-6))));
            return NiceStepMultiples.Select(m => m * power).First(s => s >= rough);
        }
    }
}
