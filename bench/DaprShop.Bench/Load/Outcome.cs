using System.Net;

namespace DaprShop.Bench.Load;

/// <summary>
/// What one request came to: its HTTP status, or the exception that ended it, whether that counts as an error,
/// and for an error an example of what was said (the start of the answer's body, or the exception's message).
/// </summary>
internal readonly record struct Outcome(string Kind, bool IsError, string? Detail = null)
{
    private const int DetailLength = 300;

    public static Outcome Status(HttpStatusCode status, bool expected) => new($"{(int)status} {status}", !expected);

    /// <summary>The answer's status; when it is not <paramref name="expected"/>, the start of its body too.</summary>
    public static async Task<Outcome> StatusAsync(HttpResponseMessage response, bool expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var outcome = Status(response.StatusCode, expected);
        if (expected)
        {
            return outcome;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return outcome with { Detail = Shorten(body) };
    }

    public static Outcome Failure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            TaskCanceledException { InnerException: TimeoutException } => new("timeout (no answer in time)", true),
            HttpRequestException http => new($"HttpRequestException ({http.HttpRequestError})", true, Shorten(http.Message)),
            _ => new(exception.GetType().Name, true, Shorten(exception.Message)),
        };
    }

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= DetailLength ? line : line[..DetailLength] + "...";
    }
}
