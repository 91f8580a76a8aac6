using System.Globalization;
using System.Text.RegularExpressions;

namespace OrderService.Apis;

/// <summary>RFC 3339 timestamps, as <c>?asOf=</c> takes them: a date, a time and an offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
public static partial class Rfc3339
{
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null
            && Timestamp().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Timestamp();
}
