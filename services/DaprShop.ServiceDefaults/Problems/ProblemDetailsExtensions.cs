using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.ServiceDefaults.Problems;

internal static class ProblemDetailsExtensions
{
    /// <summary>Every error is RFC 9457 problem details, with the request path and the trace id, never a stack trace.</summary>
    public static void AddShopProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);

            if (context.ProblemDetails is HttpValidationProblemDetails validation)
            {
                CamelCaseErrorKeys(validation.Errors);
            }
        });
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();

        // Bad input (malformed JSON, wrong types, wrong content type) surfaces as BadHttpRequestException in every
        // environment, so ProblemDetailsExceptionHandler can say what was wrong instead of an empty 400.
        services.Configure<RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = true);
    }

    /// <summary>
    /// Validation names members as C# does (<c>Items[0].UnitPrice</c>); the API's JSON is camelCase, so the error keys
    /// are too (<c>items[0].unitPrice</c>), and a client can match them to the fields it sent.
    /// </summary>
    internal static void CamelCaseErrorKeys(IDictionary<string, string[]> errors)
    {
        var entries = errors.ToList();
        errors.Clear();
        foreach (var (key, messages) in entries)
        {
            var camelKey = string.Join('.', key.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
            errors[camelKey] = errors.TryGetValue(camelKey, out var existing) ? [.. existing, .. messages] : messages;
        }
    }
}
