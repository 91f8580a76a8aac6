using System.Globalization;

namespace DaprShop.Bench.Reporting;

/// <summary>Numbers as the reports print them.</summary>
internal static class Format
{
    /// <summary>Microseconds as milliseconds, with the decimals that matter at that size.</summary>
    public static string Millis(long micros) => Millis(micros / 1000.0);

    public static string Millis(double millis) => Math.Abs(millis) switch
    {
        < 1 => millis.ToString("0.000", CultureInfo.InvariantCulture),
        < 10 => millis.ToString("0.00", CultureInfo.InvariantCulture),
        < 100 => millis.ToString("0.0", CultureInfo.InvariantCulture),
        _ => millis.ToString("N0", CultureInfo.InvariantCulture),
    };

    public static string SignedMillis(double millis) => (millis >= 0 ? "+" : "-") + Millis(Math.Abs(millis));

    public static string Count(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) => perSecond.ToString(perSecond < 100 ? "N1" : "N0", CultureInfo.InvariantCulture);

    public static string Seconds(double seconds) => seconds.ToString(seconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
