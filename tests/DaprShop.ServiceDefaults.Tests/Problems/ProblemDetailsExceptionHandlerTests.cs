using System.Text.Json;
using Dapr;
using DaprShop.ServiceDefaults.Problems;
using DaprShop.ServiceDefaults.State;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DaprShop.ServiceDefaults.Tests.Problems;

public sealed class ProblemDetailsExceptionHandlerTests
{
    // What order-service's actor proxy throws when the actor host answered with problem details: daprd's error wraps them.
    private const string ActorCallFailure =
        """error invoke actor method: error from actor service: (409) {"title":"Concurrent update","detail":"State 'orders-of-u-1' kept changing"}""";

    [Fact]
    public void Sidecar_call_failed_503_without_daprds_message()
    {
        var problem = ProblemDetailsExceptionHandler.Describe(new DaprException(ActorCallFailure));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.Status);
        Assert.DoesNotContain("actor", problem.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Concurrent_update_gave_up_409_without_the_state_key()
    {
        var problem = ProblemDetailsExceptionHandler.Describe(StateConcurrencyException.For("orders-of-u-1", 10));

        Assert.Equal(StatusCodes.Status409Conflict, problem.Status);
        Assert.DoesNotContain("orders-of", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sidecar_call_failed_Answer_asks_to_retry_after_a_second_as_problem_details()
    {
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        var handler = new ProblemDetailsExceptionHandler(
            services.GetRequiredService<IProblemDetailsService>(),
            NullLogger<ProblemDetailsExceptionHandler>.Instance);

        Assert.True(await handler.TryHandleAsync(context, new DaprException(ActorCallFailure), CancellationToken.None));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("Dapr sidecar call failed", body.RootElement.GetProperty("title").GetString());
        Assert.DoesNotContain("orders-of", body.RootElement.GetRawText(), StringComparison.Ordinal);
    }
}
