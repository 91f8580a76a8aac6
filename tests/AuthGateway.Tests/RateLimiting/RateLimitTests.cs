using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AuthGateway.Tests.RateLimiting;

/// <summary>Per client address on /auth, per user on /api, and the per-account back-off after wrong passwords.</summary>
public class RateLimitTests
{
    private const string Password = "correct horse battery";

    /// <summary>The address limit out of the way, for tests of the other limits.</summary>
    private static Dictionary<string, string> Relaxed(params (string Name, string Value)[] more)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["RateLimits:Auth:PermitLimit"] = "100000" };
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        return settings;
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/auth/token", new { email, password });

    private static async Task AssertTooManyRequestsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {retryAfter}");
    }

    [Fact]
    public async Task Token_21st_wrong_password_in_a_minute_with_default_limits_429_problem_with_Retry_After()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = Password });

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 21; i++)
        {
            answers.Add(await TokenAsync(client, "alice@example.com", $"wrong password {i}"));
        }

        Assert.All(answers.Take(5), answer => Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode));
        await AssertTooManyRequestsAsync(answers[20]);
    }

    [Fact]
    public async Task Token_after_5_wrong_passwords_429_even_for_the_right_one_until_the_window_passes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = new GatewayFactory { Clock = clock, Settings = Relaxed() };
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = Password });
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(client, "alice@example.com", "wrong password")).StatusCode);
        }

        var locked = await TokenAsync(client, "ALICE@example.com", Password);
        clock.Advance(TimeSpan.FromMinutes(4));
        var stillLocked = await TokenAsync(client, "alice@example.com", Password);
        clock.Advance(TimeSpan.FromMinutes(1));
        var open = await TokenAsync(client, "alice@example.com", Password);

        await AssertTooManyRequestsAsync(locked);
        Assert.Equal(TimeSpan.FromMinutes(5), locked.Headers.RetryAfter?.Delta);
        await AssertTooManyRequestsAsync(stillLocked);
        Assert.Equal(TimeSpan.FromMinutes(1), stillLocked.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task Token_locked_account_Other_accounts_unaffected()
    {
        await using var factory = new GatewayFactory { Settings = Relaxed() };
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = Password });
        await client.PostAsJsonAsync("/auth/register", new { email = "bob@example.com", password = Password });
        for (var i = 0; i < 5; i++)
        {
            await TokenAsync(client, "alice@example.com", "wrong password");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await TokenAsync(client, "alice@example.com", Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(client, "bob@example.com", Password)).StatusCode);
    }

    [Fact]
    public async Task Token_right_password_Clears_the_count_of_wrong_ones()
    {
        await using var factory = new GatewayFactory { Settings = Relaxed() };
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = Password });
        for (var i = 0; i < 4; i++)
        {
            await TokenAsync(client, "alice@example.com", "wrong password");
        }

        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(client, "alice@example.com", Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(client, "alice@example.com", "wrong password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(client, "alice@example.com", Password)).StatusCode);
    }

    [Fact]
    public async Task Token_unknown_email_Locked_like_a_known_one()
    {
        await using var factory = new GatewayFactory { Settings = Relaxed() };
        using var client = factory.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(client, "nobody@example.com", "wrong password")).StatusCode);
        }

        await AssertTooManyRequestsAsync(await TokenAsync(client, "nobody@example.com", "wrong password"));
    }

    [Fact]
    public async Task Auth_over_the_per_address_limit_429_problem_with_Retry_After_for_register_and_token_together()
    {
        await using var factory = new GatewayFactory { Settings = { ["RateLimits:Auth:PermitLimit"] = "3" } };
        using var client = factory.CreateClient();

        var first = await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = Password });
        var second = await TokenAsync(client, "alice@example.com", Password);
        var third = await client.PostAsJsonAsync("/auth/register", new { email = "bob@example.com", password = Password });
        var fourthRegister = await client.PostAsJsonAsync("/auth/register", new { email = "carol@example.com", password = Password });
        var fourthToken = await TokenAsync(client, "alice@example.com", Password);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        await AssertTooManyRequestsAsync(fourthRegister);
        await AssertTooManyRequestsAsync(fourthToken);
        Assert.False(factory.State.Contains(AuthGateway.Domain.UserAccounts.Key("carol@example.com")));
    }

    [Fact]
    public async Task Api_over_the_per_user_limit_429_problem_with_Retry_After_and_other_users_unaffected()
    {
        await using var factory = new GatewayFactory { Settings = Relaxed(("RateLimits:Api:PermitLimit", "2")) };
        using var alice = factory.CreateClient();
        using var bob = factory.CreateClient();
        alice.UseBearer(await alice.RegisterAndGetTokenAsync("alice@example.com"));
        bob.UseBearer(await bob.RegisterAndGetTokenAsync("bob@example.com"));

        var allowed = new[] { await alice.GetAsync("/api/orders"), await alice.GetAsync("/api/notifications") };
        var refused = await alice.GetAsync("/api/orders");
        var other = await bob.GetAsync("/api/orders");

        Assert.All(allowed, answer => Assert.NotEqual(HttpStatusCode.TooManyRequests, answer.StatusCode));
        await AssertTooManyRequestsAsync(refused);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);
    }

    [Theory]
    [InlineData("RateLimits:Auth:PermitLimit", "0")]
    [InlineData("RateLimits:Api:PermitLimit", "-1")]
    [InlineData("RateLimits:WrongPasswords:Window", "00:00:00")]
    public async Task Start_with_a_limit_switched_off_Refused(string name, string value)
    {
        var refused = await GatewayStartup.ValidateAsync(new Dictionary<string, string?> { [name] = value });

        Assert.Contains("RateLimits", Assert.IsType<OptionsValidationException>(refused).Message, StringComparison.Ordinal);
    }
}
