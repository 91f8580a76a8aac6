using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace DaprShop.Bench.Shop;

/// <summary>A registered user of the shop and its bearer token, as a REST client gets them from the gateway.</summary>
internal sealed record Shopper(int Index, string Email, string UserId, string Token)
{
    private const string Password = "correct horse battery staple";

    /// <summary>
    /// Registers <paramref name="count"/> new users and gets each a token, a few at a time (the gateway hashes
    /// passwords with PBKDF2, which is deliberately slow).
    /// </summary>
    public static async Task<IReadOnlyList<Shopper>> RegisterAsync(HttpClient gateway, int count, string prefix, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(log);
        await log.WriteLineAsync($"Registering {count} shoppers...");
        var started = Stopwatch.GetTimestamp();
        var shoppers = new Shopper[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var email = $"bench-{prefix}-{i}@bench.test";
            using var registered = await gateway.PostAsJsonAsync("/auth/register", new { email, password = Password, name = $"Bench shopper {i}" }, ct);
            var userId = await ReadAsync(registered, "userId", ct);
            using var issued = await gateway.PostAsJsonAsync("/auth/token", new { email, password = Password }, ct);
            shoppers[i] = new Shopper(i, email, userId, await ReadAsync(issued, "accessToken", ct));
        });
        await log.WriteLineAsync($"Registered {count} shoppers in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s.");
        return shoppers;
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response, string property, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty(property).GetString()
            ?? throw new InvalidOperationException($"{response.RequestMessage?.RequestUri?.AbsolutePath} answered no {property}: {body}");
    }
}
