using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PaymentService.Domain;

namespace PaymentService.Apis;

/// <summary>Fault injection for demos and tests; mapped only when <c>Payment:FaultInjection:Enabled</c> is true.</summary>
public static class FaultsApi
{
    public static IEndpointRouteBuilder MapFaultsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        if (!app.ServiceProvider.GetRequiredService<IConfiguration>().IsFaultInjectionEnabled())
        {
            return app;
        }

        var group = app.MapGroup("/faults").WithTags("Faults");
        group.MapPut("/", SetFault).WithName(nameof(SetFault));
        group.MapGet("/", GetFault).WithName(nameof(GetFault));
        return app;
    }

    /// <summary>
    /// Sets the fault mode. The body is read as JSON whatever its content type, so the README's
    /// plain <c>curl -X PUT ... -d '{"mode":"down"}'</c> (which curl labels as a form) works too.
    /// </summary>
    public static async Task<Results<Ok<FaultSettings>, ValidationProblem>> SetFault(
        HttpRequest http,
        FaultInjector faults,
        ILogger<FaultInjector> logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(faults);

        FaultRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<FaultRequest>(http.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"not valid JSON: {e.Message}"] });
        }

        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["a JSON object {\"mode\": \"none|down|slow\", \"delayMs\": n} is required"] });
        }

        if (FaultSettings.Parse(request.Mode, request.DelayMs, out var errors) is not { } settings)
        {
            return TypedResults.ValidationProblem(errors);
        }

        faults.Set(settings);
        logger.LogWarning("Fault injection set to {Mode} (delay {DelayMs} ms)", settings.Mode, settings.DelayMs);
        return TypedResults.Ok(settings);
    }

    /// <summary>The current fault, and the number of requests the payment endpoints received since start-up.</summary>
    public static Ok<FaultStatus> GetFault(FaultInjector faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        var current = faults.Current;
        return TypedResults.Ok(new FaultStatus(current.Mode, current.DelayMs, faults.PaymentRequests));
    }
}

/// <summary><c>GET /faults</c> answer: the fault settings and <c>paymentRequests</c>, the requests <c>/payments</c> received.</summary>
public sealed record FaultStatus(FaultMode Mode, int DelayMs, long PaymentRequests);

/// <summary><c>PUT /faults</c> body: <c>mode</c> is <c>none</c>, <c>down</c> or <c>slow</c>.</summary>
public sealed record FaultRequest(string? Mode, int? DelayMs = null);
