using System.Globalization;
using System.Threading.RateLimiting;
using DaprShop.ServiceDefaults.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AuthGateway.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter: per client address on <c>/auth/*</c> (<see cref="PerClientAddress"/>), per user on
/// <c>/api/**</c> (<see cref="PerUser"/>), plus the per-account <see cref="WrongPasswordLockout"/>. A refusal is 429
/// problem details with <c>Retry-After</c>.
/// </summary>
public static class RateLimitingExtensions
{
    public const string PerClientAddress = "per-client-address";

    public const string PerUser = "per-user";

    public static WebApplicationBuilder AddGatewayRateLimits(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.Section)
            .Validate(limits => limits.Problem() is null, $"Every limit in section {RateLimitOptions.Section} needs a PermitLimit of at least 1 and a positive Window.")
            .ValidateOnStart();
        builder.Services.AddSingleton<WrongPasswordLockout>();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, cancellationToken) =>
                WriteTooManyRequestsAsync(context.HttpContext, context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null, cancellationToken);

            limiter.AddPolicy(PerClientAddress, context =>
                FixedWindow($"address:{ClientAddress(context)}", Limits(context).Auth));

            // Behind the authorization policy every caller has a user id; the address is only a fallback.
            limiter.AddPolicy(PerUser, context =>
                FixedWindow(context.User.FindFirst(ShopClaimTypes.UserId)?.Value is { } userId ? $"user:{userId}" : $"address:{ClientAddress(context)}", Limits(context).Api));
        });
        return builder;
    }

    /// <summary>429 problem details with <c>Retry-After</c> in whole seconds (at least 1).</summary>
    public static ValueTask WriteTooManyRequestsAsync(HttpContext context, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ = cancellationToken;

        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var seconds = SetRetryAfter(context.Response, retryAfter ?? TimeSpan.FromSeconds(1));

        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"Try again in {seconds} s.",
            },
        });
    }

    /// <summary>Sets <c>Retry-After</c> to <paramref name="retryAfter"/> in whole seconds, rounded up, at least 1; returns them.</summary>
    public static int SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(response);

        var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }

    private static RateLimitPartition<string> FixedWindow(string key, WindowLimit limit) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static RateLimitOptions Limits(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;

    private static string ClientAddress(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
