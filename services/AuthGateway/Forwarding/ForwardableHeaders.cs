namespace AuthGateway.Forwarding;

/// <summary>
/// Request header values the gateway forwards: visible ASCII, space and tab (RFC 9110's field-value without the obsolete
/// obs-text). Kestrel takes in other characters too (<c>X-Note: café</c>, a control character), but the forwarding
/// HttpClient refuses to send a non-ASCII value, and a control character is not valid in a field value, so such a
/// request is answered 400 problem details naming the header, and nothing is forwarded (it was a 502 before).
/// </summary>
public static class ForwardableHeaders
{
    public static bool IsForwardable(string? value) => value is null || value.All(c => c is '\t' or (>= ' ' and <= '~'));

    /// <summary>The name of the first header with a value the gateway cannot forward, or null when there is none.</summary>
    public static string? FindUnforwardable(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var (name, values) in headers)
        {
            if (!values.All(IsForwardable))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The first step of the forwarding pipeline (after authentication and authorization).</summary>
    public static async Task RejectUnforwardableAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);

        if (FindUnforwardable(context.Request.Headers) is { } name)
        {
            await TypedResults.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "Invalid request header",
                    detail: $"The value of header '{name}' has characters other than printable ASCII, space and tab; the gateway forwards no such header.")
                .ExecuteAsync(context);
            return;
        }

        await next();
    }
}
