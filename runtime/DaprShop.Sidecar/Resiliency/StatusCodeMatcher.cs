using System.Globalization;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// A retry policy's <c>matching</c>: which failed status codes are retried, parsed and matched as
/// daprd does (dapr/dapr <c>pkg/resiliency/retry.go</c>). Each list is comma-separated codes or
/// <c>start-end</c> ranges, such as <c>"429,500-504"</c>; empty items are skipped, anything else
/// must be exactly an integer (no spaces), inside 100-599 for HTTP and 0-16 for gRPC, with a range's
/// start not above its end. An empty or absent list retries every code; a code in 100-599 is
/// matched against the HTTP list, any other against the gRPC list. A failure that carries no status
/// code (a transport error, a timeout, a <c>RETRY</c> answer) has nothing to match and is retried.
/// </summary>
public sealed class StatusCodeMatcher
{
    private static readonly (int Start, int End) HttpRange = (100, 599);
    private static readonly (int Start, int End) GrpcRange = (0, 16);

    private readonly IReadOnlyList<(int Start, int End)>? _http;
    private readonly IReadOnlyList<(int Start, int End)>? _grpc;

    private StatusCodeMatcher(IReadOnlyList<(int Start, int End)>? http, IReadOnlyList<(int Start, int End)>? grpc)
    {
        _http = http;
        _grpc = grpc;
    }

    /// <summary>Retries every status code.</summary>
    public static StatusCodeMatcher All { get; } = new(null, null);

    /// <summary>Parses both lists; a bad one is a <see cref="FormatException"/> naming the pattern.</summary>
    public static StatusCodeMatcher Parse(string? httpStatusCodes, string? grpcStatusCodes)
    {
        var http = ParseList(httpStatusCodes, HttpRange);
        var grpc = ParseList(grpcStatusCodes, GrpcRange);
        return http is null && grpc is null ? All : new StatusCodeMatcher(http, grpc);
    }

    /// <summary>Whether a failure with this status code (or none) is retried.</summary>
    public bool ShouldRetry(int? statusCode)
    {
        if (statusCode is not { } code)
        {
            return true;
        }

        var ranges = code >= HttpRange.Start && code <= HttpRange.End ? _http : _grpc;
        return ranges is null || ranges.Any(r => code >= r.Start && code <= r.End);
    }

    private static List<(int Start, int End)>? ParseList(string? patterns, (int Start, int End) valid)
    {
        if (string.IsNullOrEmpty(patterns))
        {
            return null;
        }

        var ranges = new List<(int Start, int End)>();
        foreach (var pattern in patterns.Split(','))
        {
            if (pattern.Length == 0)
            {
                continue;
            }

            var bounds = pattern.Split('-');
            if (bounds.Length > 2)
            {
                throw new FormatException($"invalid pattern '{pattern}', more than one '-' exists");
            }

            var start = ParseCode(bounds[0], pattern, "start");
            var end = bounds.Length == 2 ? ParseCode(bounds[1], pattern, "end") : start;
            if (start < valid.Start || start > valid.End)
            {
                throw new FormatException($"invalid pattern '{pattern}', start code {start} is not within {valid.Start}-{valid.End}");
            }

            if (end < valid.Start || end > valid.End)
            {
                throw new FormatException($"invalid pattern '{pattern}', end code {end} is not within {valid.Start}-{valid.End}");
            }

            if (end < start)
            {
                throw new FormatException($"invalid pattern '{pattern}', start value should not be bigger than end value");
            }

            ranges.Add((start, end));
        }

        return ranges;
    }

    private static int ParseCode(string text, string pattern, string which) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
            ? code
            : throw new FormatException($"failed to parse {which} code '{text}' from pattern '{pattern}' as an integer");
}
