using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprShop.Sidecar.Components;

/// <summary>
/// JSON as Go's <c>encoding/json</c> writes a value it decoded into <c>any</c>: object keys sorted, numbers as float64
/// (shortest form; exponent notation below 1e-6 and from 1e21 up, <c>1e-7</c> rather than <c>1e-07</c>), strings
/// with <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> escaped as <c>\u003c</c>, <c>\u003e</c>, <c>\u0026</c>, control
/// characters escaped, U+2028 and U+2029 escaped, and other non-ASCII text as it is. Where daprd unmarshals JSON into a
/// map and marshals it again (a bulk subscription's envelope, a CloudEvent's data for a gRPC app), the app gets these
/// bytes.
/// </summary>
public static class GoJson
{
    /// <summary>The JSON text of <paramref name="node"/>, as Go marshals it.</summary>
    public static string Marshal(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    /// <summary>Appends <paramref name="node"/> as Go marshals it.</summary>
    public static void Write(StringBuilder text, JsonNode? node)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject json:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in json.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(first ? string.Empty : ",");
                    first = false;
                    WriteString(text, key);
                    text.Append(':');
                    Write(text, value);
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : ",");
                    Write(text, array[i]);
                }

                text.Append(']');
                break;
            default:
                var element = node.GetValue<JsonElement>();
                switch (element.ValueKind)
                {
                    case JsonValueKind.String:
                        WriteString(text, element.GetString()!);
                        break;
                    case JsonValueKind.Number:
                        text.Append(FormatFloat(element.GetDouble()));
                        break;
                    case JsonValueKind.True:
                        text.Append("true");
                        break;
                    case JsonValueKind.False:
                        text.Append("false");
                        break;
                    default:
                        text.Append("null");
                        break;
                }

                break;
        }
    }

    /// <summary>Appends a JSON string literal, escaped as Go escapes it (HTML characters included).</summary>
    public static void WriteString(StringBuilder text, string value)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(value);
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])))
                    {
                        // Invalid UTF-8 (a lone surrogate here) becomes the replacement character in Go.
                        text.Append("\\ufffd");
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        text.Append(c).Append(value[++i]);
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }

    /// <summary>A float64 as Go's JSON encoder writes it.</summary>
    public static string FormatFloat(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        // The shortest digits that read back as the same double, and where the decimal point goes.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest[0] == '-';
        if (negative)
        {
            shortest = shortest[1..];
        }

        var exponent = 0;
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            exponent = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            shortest = shortest[..e];
        }

        var dot = shortest.IndexOf('.', StringComparison.Ordinal);
        var digits = dot >= 0 ? shortest.Remove(dot, 1) : shortest;
        var point = (dot >= 0 ? dot : shortest.Length) + exponent;
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        point -= leading;
        var abs = Math.Abs(value);
        string body;
        if (abs is < 1e-6 or >= 1e21)
        {
            var power = point - 1;
            var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
            body = power < 0
                ? $"{mantissa}e-{(-power).ToString(CultureInfo.InvariantCulture)}"
                : $"{mantissa}e+{power.ToString("00", CultureInfo.InvariantCulture)}";
        }
        else if (point <= 0)
        {
            body = "0." + new string('0', -point) + digits;
        }
        else if (point >= digits.Length)
        {
            body = digits + new string('0', point - digits.Length);
        }
        else
        {
            body = $"{digits[..point]}.{digits[point..]}";
        }

        return negative ? "-" + body : body;
    }
}
